// Command notation-core-check runs notation-core-go v1.3.0 (the envelope library of notation
// 1.3.2) on raw signature envelopes, so that ocisign's tests can show that notation accepts
// what ocisign signs, and that ocisign accepts what notation signs.
//
// Usage:
//
//	notation-core-check verify MEDIATYPE FILE...
//	    prints one line per file: "OK <alg> <scheme>" or "FAIL <error>"
//	notation-core-check sign MEDIATYPE KEY.pem CHAIN.pem PAYLOAD OUT
//	    signs PAYLOAD as notation does (x509 scheme, expiry +24h, agent notation-go/1.3.2)
//	notation-core-check subject CERTS.pem
//	    prints each certificate's subject as notation prints it (Go pkix.Name.String())
//
// Exit codes: 0 all verified or signed, 1 a failure, 2 usage.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/notaryproject/notation-core-go/signature"
	_ "github.com/notaryproject/notation-core-go/signature/cose"
	_ "github.com/notaryproject/notation-core-go/signature/jws"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: notation-core-check verify MEDIATYPE FILE... | sign MEDIATYPE KEY CHAIN PAYLOAD OUT | subject CERTS")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "subject":
		certs, err := readCertificates(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(1)
		}
		for _, cert := range certs {
			fmt.Println(cert.Subject.String())
		}
	case "verify":
		os.Exit(verify(os.Args[2], os.Args[3:]))
	case "sign":
		if len(os.Args) != 7 {
			fmt.Fprintln(os.Stderr, "usage: notation-core-check sign MEDIATYPE KEY CHAIN PAYLOAD OUT")
			os.Exit(2)
		}
		if err := sign(os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6]); err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

var algorithmNames = map[signature.Algorithm]string{
	signature.AlgorithmPS256: "PS256",
	signature.AlgorithmPS384: "PS384",
	signature.AlgorithmPS512: "PS512",
	signature.AlgorithmES256: "ES256",
	signature.AlgorithmES384: "ES384",
	signature.AlgorithmES512: "ES512",
}

func verify(mediaType string, files []string) int {
	code := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			var env signature.Envelope
			env, err = signature.ParseEnvelope(mediaType, data)
			if err == nil {
				var content *signature.EnvelopeContent
				content, err = env.Verify()
				if err == nil {
					fmt.Printf("OK %s %s\n", algorithmNames[content.SignerInfo.SignatureAlgorithm], content.SignerInfo.SignedAttributes.SigningScheme)
					continue
				}
			}
		}
		code = 1
		fmt.Printf("FAIL %v\n", err)
	}
	return code
}

func sign(mediaType, keyFile, chainFile, payloadFile, out string) error {
	keyPem, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(keyPem)
	if block == nil {
		return fmt.Errorf("no PEM key in %s", keyFile)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	certs, err := readCertificates(chainFile)
	if err != nil {
		return err
	}
	payload, err := os.ReadFile(payloadFile)
	if err != nil {
		return err
	}
	signer, err := signature.NewLocalSigner(certs, key)
	if err != nil {
		return err
	}
	env, err := signature.NewEnvelope(mediaType)
	if err != nil {
		return err
	}
	now := time.Now()
	sig, err := env.Sign(&signature.SignRequest{
		Payload:       signature.Payload{ContentType: "application/vnd.cncf.notary.payload.v1+json", Content: payload},
		Signer:        signer,
		SigningTime:   now,
		Expiry:        now.Add(24 * time.Hour),
		SigningScheme: signature.SigningSchemeX509,
		SigningAgent:  "notation-go/1.3.2",
	})
	if err != nil {
		return err
	}
	return os.WriteFile(out, sig, 0o644)
}

func readCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return certs, nil
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cert)
	}
}
