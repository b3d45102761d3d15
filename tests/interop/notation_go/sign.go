package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/notaryproject/notation-core-go/revocation/purpose"
	"github.com/notaryproject/notation-core-go/signature/cose"
	"github.com/notaryproject/notation-core-go/signature/jws"
	corex509 "github.com/notaryproject/notation-core-go/x509"
	"github.com/notaryproject/notation-go"
	notationregistry "github.com/notaryproject/notation-go/registry"
	"github.com/notaryproject/notation-go/signer"
	"github.com/notaryproject/tspclient-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// timestampingTimeout bounds a request to the TSA, as in the CLI.
const timestampingTimeout = 15 * time.Second

// referrersTagSchemaDeleteError is the part of notation-go's push error that
// the CLI treats as a warning: the signature was stored, only the outdated
// referrers index could not be deleted.
const referrersTagSchemaDeleteError = "failed to delete dangling referrers index"

// recordingRepository passes everything to notation-go's repository and
// remembers the signature manifest descriptor that PushSignature returns
// (notation.Sign itself only returns the signed artifact's descriptor).
type recordingRepository struct {
	notationregistry.Repository
	signatureManifest ocispec.Descriptor
}

func (r *recordingRepository) PushSignature(ctx context.Context, mediaType string, blob []byte, subject ocispec.Descriptor, annotations map[string]string) (ocispec.Descriptor, ocispec.Descriptor, error) {
	blobDesc, manifestDesc, err := r.Repository.PushSignature(ctx, mediaType, blob, subject, annotations)
	if err == nil {
		r.signatureManifest = manifestDesc
	}
	return blobDesc, manifestDesc, err
}

// envelopeMediaType maps --signature-format to the envelope media type with
// the CLI's error message.
func envelopeMediaType(format string) (string, error) {
	switch format {
	case "jws":
		return jws.MediaTypeEnvelope, nil
	case "cose":
		return cose.MediaTypeEnvelope, nil
	}
	return "", usagef("signature format %q not supported\nSupported signature envelope formats are \"jws\" and \"cose\"", format)
}

// addTimestamping sets RFC 3161 timestamping on opts as the CLI does for
// --timestamp-url and --timestamp-root-cert: the root file must hold exactly
// one self-signed, self-issued certificate, and the TSA chain's revocation
// is checked while signing.
func addTimestamping(opts *notation.SignOptions, tsaURL, rootPath string) error {
	timestamper, err := tspclient.NewHTTPTimestamper(&http.Client{Timeout: timestampingTimeout}, tsaURL)
	if err != nil {
		return fmt.Errorf("cannot get http timestamper for timestamping: %w", err)
	}
	rootCerts, err := corex509.ReadCertificateFile(rootPath)
	if err != nil {
		return err
	}
	if len(rootCerts) != 1 {
		return fmt.Errorf("found %d certificates in %q. Expecting single x509 root certificate in PEM or DER format from the file", len(rootCerts), rootPath)
	}
	root := rootCerts[0]
	if err := root.CheckSignatureFrom(root); err != nil || !bytes.Equal(root.RawSubject, root.RawIssuer) {
		return fmt.Errorf("certificate from %q is not a root certificate. Expecting single x509 root certificate in PEM or DER format from the file", rootPath)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	validator, err := newRevocationValidator(purpose.Timestamping)
	if err != nil {
		return fmt.Errorf("failed to create timestamping revocation validator: %w", err)
	}
	opts.Timestamper = timestamper
	opts.TSARootCAs = pool
	opts.TSARevocationValidator = validator
	return nil
}

func runSign(ctx context.Context, args []string) error {
	fs := newFlagSet("sign")
	var common commonFlags
	var tf targetFlags
	var keyPath, certPath, format, tsaURL, tsaRoot string
	var expiry time.Duration
	var metadata stringList
	forceReferrersTag := true
	common.register(fs)
	tf.register(fs)
	fs.StringVar(&keyPath, "key", "", "private key file (PEM: PKCS#8, PKCS#1 or SEC1)")
	fs.StringVar(&keyPath, "k", "", "alias of --key")
	fs.StringVar(&certPath, "cert", "", "certificate chain file (PEM, leaf first, root included)")
	fs.StringVar(&format, "signature-format", "jws", "signature envelope format: jws or cose")
	fs.DurationVar(&expiry, "expiry", 0, "signature expiry duration, e.g. 24h")
	fs.DurationVar(&expiry, "e", 0, "alias of --expiry")
	fs.Var(&metadata, "m", "user metadata k=v added to the payload (repeatable)")
	fs.Var(&metadata, "user-metadata", "alias of -m")
	fs.StringVar(&tsaURL, "timestamp-url", "", "RFC 3161 TSA URL (with --timestamp-root-cert)")
	fs.StringVar(&tsaRoot, "timestamp-root-cert", "", "file with the TSA's root certificate (with --timestamp-url)")
	fs.BoolVar(&forceReferrersTag, "force-referrers-tag", true, "registry only: store the signature with the referrers tag schema (false: Referrers API first)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	raw, err := exactlyOne("sign", positional, "reference to the artifact")
	if err != nil {
		return err
	}
	if keyPath == "" || certPath == "" {
		return usagef("sign: --key and --cert are both required")
	}
	if (tsaURL == "") != (tsaRoot == "") {
		return usagef("sign: --timestamp-url and --timestamp-root-cert must be used together")
	}
	if tf.ociLayout && !forceReferrersTag {
		return usagef("sign: --force-referrers-tag cannot be used with --oci-layout")
	}
	mediaType, err := envelopeMediaType(format)
	if err != nil {
		return err
	}
	ctx = common.withLogger(ctx)

	// The same order as notation 1.3.2's runSign: signer, repository,
	// options, reference resolution, then notation.Sign on the digest.
	sig, err := signer.NewFromFiles(keyPath, certPath)
	if err != nil {
		return err
	}
	tgt, err := openTarget(ctx, tf, raw, forceReferrersTag)
	if err != nil {
		return err
	}
	userMetadata, err := parseFlagMap(metadata, "user-metadata")
	if err != nil {
		return err
	}
	desc, resolvedRef, err := tgt.resolve(ctx, tf.ociLayout, "sign")
	if err != nil {
		return err
	}
	repo := &recordingRepository{Repository: tgt.repo}
	opts := notation.SignOptions{
		SignerSignOptions: notation.SignerSignOptions{
			SignatureMediaType: mediaType,
			ExpiryDuration:     expiry,
			PluginConfig:       map[string]string{},
		},
		ArtifactReference: desc.Digest.String(),
		UserMetadata:      userMetadata,
	}
	if tsaURL != "" {
		useConfigDir(configDirOrEnv(""))
		if err := addTimestamping(&opts, tsaURL, tsaRoot); err != nil {
			return err
		}
	}
	sigDigest := ""
	if _, err := notation.Sign(ctx, sig, repo, opts); err != nil {
		var pushErr notation.ErrorPushSignatureFailed
		if !errors.As(err, &pushErr) || !strings.Contains(err.Error(), referrersTagSchemaDeleteError) {
			return err
		}
		warnf("Removal of outdated referrers index from remote registry failed. Garbage collection may be required.")
		if tgt.recorder != nil {
			sigDigest = tgt.recorder.lastManifestDigest()
		}
	} else {
		sigDigest = repo.signatureManifest.Digest.String()
	}
	fmt.Fprintln(os.Stderr, "Successfully signed", resolvedRef)
	if sigDigest == "" {
		return errors.New("the signature was stored but its manifest digest is unknown")
	}
	fmt.Println(sigDigest)
	return nil
}
