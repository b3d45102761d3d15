package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/notaryproject/notation-core-go/testhelper"
	"github.com/notaryproject/notation-go/config"
	"github.com/notaryproject/notation-go/dir"
)

var validName = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// runGenerateTest mirrors `notation cert generate-test` 1.3.2: an RSA key
// (PKCS#8) and a self-signed, non-CA code-signing certificate for
// C=US, ST=WA, L=Seattle, O=Notary, CN=NAME, valid for 24h, made with
// notation-core-go's testhelper; the pair is added to signingkeys.json and
// the certificate to truststore/x509/ca/NAME/NAME.crt.
func runGenerateTest(args []string) error {
	fs := newFlagSet("cert generate-test")
	var configDir string
	var isDefault bool
	bits := 2048
	fs.StringVar(&configDir, "config-dir", "", "notation config directory to write into (default $NOTATION_CONFIG)")
	fs.IntVar(&bits, "bits", 2048, "RSA key bits")
	fs.IntVar(&bits, "b", 2048, "alias of --bits")
	fs.BoolVar(&isDefault, "default", false, "mark as the default signing key")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	name, err := exactlyOne("cert generate-test", positional, "certificate common_name")
	if err != nil {
		return err
	}
	if !validName.MatchString(name) {
		return usagef("name needs to follow [a-zA-Z0-9_.-]+ format")
	}
	useConfigDir(configDirOrEnv(configDir))

	fmt.Println("generating RSA Key with", bits, "bits")
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	tuple := testhelper.GetRSASelfSignedCertTupleWithPK(key, name)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tuple.Cert.Raw})
	fmt.Println("generated certificate expiring on", tuple.Cert.NotAfter.Format(time.RFC3339))

	relKey, relCert := dir.LocalKeyPath(name)
	keyPath, _ := dir.ConfigFS().SysPath(relKey)
	certPath, _ := dir.ConfigFS().SysPath(relCert)
	if err := writeNewFile(keyPath, keyPEM, 0o600); err != nil {
		return fmt.Errorf("failed to write key file: %v", err)
	}
	fmt.Println("wrote key:", keyPath)
	if err := writeNewFile(certPath, certPEM, 0o644); err != nil {
		return fmt.Errorf("failed to write certificate file: %v", err)
	}
	fmt.Println("wrote certificate:", certPath)

	if err := config.LoadExecSaveSigningKeys(func(s *config.SigningKeys) error {
		return s.Add(name, keyPath, certPath, isDefault)
	}); err != nil {
		return err
	}
	storeDir, _ := dir.ConfigFS().SysPath(dir.TrustStoreDir, "x509", "ca", name)
	storeCert := filepath.Join(storeDir, filepath.Base(certPath))
	if _, err := os.Stat(storeCert); err == nil {
		return fmt.Errorf("certificate already exists in the Trust Store")
	}
	if err := os.MkdirAll(storeDir, 0o700); err != nil {
		return err
	}
	if err := writeNewFile(storeCert, certPEM, 0o600); err != nil {
		return err
	}
	fmt.Printf("Successfully added %s to named store %s of type ca\n", filepath.Base(certPath), name)
	fmt.Printf("%s: added to the key list\n", name)
	if isDefault {
		fmt.Printf("%s: mark as default signing key\n", name)
	}
	return nil
}

// writeNewFile creates path (and its directory, 0700) with perm, failing if
// the file already exists.
func writeNewFile(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
