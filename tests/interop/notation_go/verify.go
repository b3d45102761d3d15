package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/notaryproject/notation-core-go/revocation"
	corecrl "github.com/notaryproject/notation-core-go/revocation/crl"
	"github.com/notaryproject/notation-core-go/revocation/purpose"
	"github.com/notaryproject/notation-go"
	"github.com/notaryproject/notation-go/dir"
	"github.com/notaryproject/notation-go/plugin"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/crl"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
)

// useConfigDir points notation-go at a notation config directory, as the
// CLI does for $NOTATION_CONFIG, and honours $NOTATION_CACHE and
// $NOTATION_LIBEXEC.
func useConfigDir(configDir string) {
	if configDir != "" {
		dir.UserConfigDir = configDir
	}
	if cache := os.Getenv("NOTATION_CACHE"); cache != "" {
		dir.UserCacheDir = cache
	}
	if libexec := os.Getenv("NOTATION_LIBEXEC"); libexec != "" {
		dir.UserLibexecDir = libexec
	}
}

// newRevocationValidator builds the validator the CLI uses: CRL over HTTP
// with a 5s timeout and notation's CRL file cache (cache errors discarded),
// OCSP over HTTP with a 2s timeout.
func newRevocationValidator(p purpose.Purpose) (revocation.Validator, error) {
	crlFetcher, err := corecrl.NewHTTPFetcher(&http.Client{Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	crlFetcher.DiscardCacheError = true
	cacheRoot, _ := dir.CacheFS().SysPath(dir.PathCRLCache)
	if fileCache, err := crl.NewFileCache(cacheRoot); err != nil {
		warnf("%v", err)
	} else {
		crlFetcher.Cache = fileCache
	}
	return revocation.NewWithOptions(revocation.Options{
		OCSPHTTPClient:   &http.Client{Timeout: 2 * time.Second},
		CRLFetcher:       crlFetcher,
		CertChainPurpose: p,
	})
}

// newVerifier loads trustpolicy.json and the x509 trust store from the
// config directory, as notation 1.3.2's getVerifier does.
func newVerifier() (notation.Verifier, error) {
	codeSigning, err := newRevocationValidator(purpose.CodeSigning)
	if err != nil {
		return nil, err
	}
	timestamping, err := newRevocationValidator(purpose.Timestamping)
	if err != nil {
		return nil, err
	}
	policy, err := trustpolicy.LoadDocument()
	if err != nil {
		return nil, err
	}
	store := truststore.NewX509TrustStore(dir.ConfigFS())
	return verifier.NewWithOptions(policy, store, plugin.NewCLIManager(dir.PluginFS()), verifier.VerifierOptions{
		RevocationCodeSigningValidator:  codeSigning,
		RevocationTimestampingValidator: timestamping,
	})
}

func runVerify(ctx context.Context, args []string) error {
	fset := newFlagSet("verify")
	var common commonFlags
	var tf targetFlags
	var configDir, scope string
	var metadata stringList
	maxSignatures := 100
	common.register(fset)
	tf.register(fset)
	fset.StringVar(&configDir, "config-dir", "", "notation config directory holding trustpolicy.json and truststore/ (default $NOTATION_CONFIG)")
	fset.StringVar(&scope, "scope", "", "trust policy scope for --oci-layout, e.g. local/hello-world")
	fset.Var(&metadata, "m", "user metadata k=v that must be in the payload (repeatable)")
	fset.Var(&metadata, "user-metadata", "alias of -m")
	fset.IntVar(&maxSignatures, "max-signatures", 100, "maximum number of signatures to evaluate")
	positional, err := parseInterspersed(fset, args)
	if err != nil {
		return err
	}
	raw, err := exactlyOne("verify", positional, "reference to the artifact")
	if err != nil {
		return err
	}
	if tf.ociLayout != (scope != "") {
		return usagef("verify: --oci-layout and --scope must be used together")
	}
	if maxSignatures <= 0 {
		return usagef("max-signatures value %d must be a positive number", maxSignatures)
	}
	ctx = common.withLogger(ctx)
	useConfigDir(configDirOrEnv(configDir))

	sigVerifier, err := newVerifier()
	if err != nil {
		return err
	}
	userMetadata, err := parseFlagMap(metadata, "user-metadata")
	if err != nil {
		return err
	}
	// verify always allows the Referrers API, falling back to the tag schema.
	tgt, err := openTarget(ctx, tf, raw, false)
	if err != nil {
		return err
	}
	_, resolvedRef, err := tgt.resolve(ctx, tf.ociLayout, "verify")
	if err != nil {
		return err
	}
	intendedRef := resolvedRef
	if scope != "" {
		if _, d, ok := strings.Cut(resolvedRef, "@"); ok {
			intendedRef = scope + "@" + d
		}
	}
	_, outcomes, err := notation.Verify(ctx, sigVerifier, tgt.repo, notation.VerifyOptions{
		ArtifactReference:    intendedRef,
		PluginConfig:         map[string]string{},
		MaxSignatureAttempts: maxSignatures,
		UserMetadata:         userMetadata,
	})
	if err := verificationFailure(outcomes, resolvedRef, err); err != nil {
		return err
	}
	reportVerificationSuccess(outcomes[0], resolvedRef)
	return nil
}

// verificationFailure reproduces the CLI's error messages, then adds one
// "Reason:" line per failed signature (the CLI shows those only with -v).
func verificationFailure(outcomes []*notation.VerificationOutcome, printOut string, err error) error {
	if err == nil && len(outcomes) > 0 {
		return nil
	}
	if err != nil {
		var errTrustStore truststore.TrustStoreError
		if errors.As(err, &errTrustStore) {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%w. Use command 'notation cert add' to create and add trusted certificates to the trust store", errTrustStore)
			}
			return fmt.Errorf("%w. %w", errTrustStore, errTrustStore.InnerError)
		}
		var errCertificate truststore.CertificateError
		if errors.As(err, &errCertificate) {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%w. Use command 'notation cert add' to create and add trusted certificates to the trust store", errCertificate)
			}
			return fmt.Errorf("%w. %w", errCertificate, errCertificate.InnerError)
		}
		var errVerification notation.ErrorVerificationFailed
		if !errors.As(err, &errVerification) {
			return fmt.Errorf("signature verification failed: %w", err)
		}
	}
	msg := "signature verification failed for all the signatures associated with " + printOut
	for _, reason := range failureReasons(err) {
		msg += "\nReason: " + reason
	}
	return errors.New(msg)
}

// failureReasons flattens notation.Verify's joined error into its non-empty
// parts.
func failureReasons(err error) []string {
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []string{strings.ReplaceAll(err.Error(), "\n", " ")}
	}
	var reasons []string
	for _, e := range joined.Unwrap() {
		var vf notation.ErrorVerificationFailed
		if errors.As(e, &vf) && vf.Msg == "" {
			continue
		}
		reasons = append(reasons, strings.ReplaceAll(e.Error(), "\n", " "))
	}
	return reasons
}

// reportVerificationSuccess prints what the CLI prints on success: warnings
// for logged failures on stderr, then the success line and the user metadata
// table (sorted by key here, for stable output) on stdout.
func reportVerificationSuccess(outcome *notation.VerificationOutcome, printOut string) {
	for _, result := range outcome.VerificationResults {
		if result.Error != nil {
			fmt.Fprintf(os.Stderr, "Warning: %v was set to %q and failed with error: %v\n", result.Type, result.Action, result.Error)
		}
	}
	if reflect.DeepEqual(outcome.VerificationLevel, trustpolicy.LevelSkip) {
		fmt.Println("Trust policy is configured to skip signature verification for", printOut)
		return
	}
	fmt.Println("Successfully verified signature for", printOut)
	metadata, _ := outcome.UserMetadata()
	if len(metadata) == 0 {
		return
	}
	fmt.Println("\nThe artifact was signed with the following user metadata.")
	keys := make([]string, 0, len(metadata))
	for k := range metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintln(w, "\nKEY\tVALUE\t")
	for _, k := range keys {
		fmt.Fprintf(w, "%v\t%v\t\n", k, metadata[k])
	}
	w.Flush()
}
