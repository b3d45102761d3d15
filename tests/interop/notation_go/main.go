// Command notation-peer is ocisign's interoperability peer for the Notary
// Project. It drives the official notation-go v1.3.2 library (with
// notation-core-go v1.3.0 and oras-go v2.5.0, the module versions the
// notation CLI v1.3.2 is built with) through the same library calls and
// defaults as `notation sign|verify|list` 1.3.2, so that ocisign's signatures
// meet the real verifier and ocisign meets the real signer.
//
// Usage (flags and the reference may come in any order):
//
//	notation-peer sign --oci-layout DIR:TAG|DIR@DIGEST --key KEY.pem --cert CHAIN.pem
//	    [--signature-format jws|cose] [--expiry 24h] [-m k=v ...]
//	    [--timestamp-url URL --timestamp-root-cert ROOT.pem]
//	notation-peer sign REGISTRY/REPO:TAG|REGISTRY/REPO@DIGEST --key KEY.pem --cert CHAIN.pem
//	    [--signature-format jws|cose] [--expiry 24h] [-m k=v ...]
//	    [--timestamp-url URL --timestamp-root-cert ROOT.pem]
//	    [--plain-http] [--force-referrers-tag=false]
//	notation-peer verify --oci-layout DIR:TAG|DIR@DIGEST --scope SCOPE --config-dir DIR
//	    [-m k=v ...] [--max-signatures N]
//	notation-peer verify REGISTRY/REPO:TAG|REGISTRY/REPO@DIGEST --config-dir DIR
//	    [-m k=v ...] [--max-signatures N] [--plain-http]
//	notation-peer list --oci-layout DIR:TAG|DIR@DIGEST [--max-signatures N]
//	notation-peer list REGISTRY/REPO:TAG|REGISTRY/REPO@DIGEST [--max-signatures N] [--plain-http]
//	notation-peer cert generate-test NAME --config-dir DIR [--bits N] [--default]
//	notation-peer version
//
// Common flags: -v/--verbose and -d/--debug write notation-go's log to stderr.
//
// Behaviour that mirrors notation 1.3.2:
//   - sign: the key and certificate chain are loaded with signer.NewFromFiles
//     (the chain file must be leaf first and include the root); the envelope
//     format defaults to jws; the signing agent is notation-go's default; in a
//     registry the referrers tag schema is used unless
//     --force-referrers-tag=false, which tries the Referrers API first (bool
//     flags take their value after "=", as in notation). With --timestamp-url
//     the signature is countersigned by an RFC 3161 TSA whose chain must end
//     in the single root in --timestamp-root-cert.
//   - verify: trustpolicy.json and truststore/x509/... are read from the
//     notation config directory given by --config-dir (default
//     $NOTATION_CONFIG, else notation's default); revocation is checked as the
//     CLI does (OCSP 2s, CRL 5s, CRL file cache in $NOTATION_CACHE or the
//     user cache dir); a layout is verified against the policy for
//     SCOPE@DIGEST.
//   - localhost:PORT registries use plain HTTP, as in notation; --plain-http
//     (alias --insecure-registry) forces it for any registry. Registry
//     credentials come from $NOTATION_USERNAME and $NOTATION_PASSWORD.
//
// Output (stable, for scripts):
//   - sign: stdout is exactly one line, the signature manifest digest;
//     stderr gets "Successfully signed <ref>@<digest>" and any warnings.
//   - verify: on success stdout gets "Successfully verified signature for
//     <ref>@<digest>" and, when the payload carries user metadata, the
//     notation metadata table (rows sorted by key); warnings for failures that
//     the policy only logs go to stderr. On failure stderr gets "Error: ..."
//     as notation prints it, then one "Reason: ..." line per signature.
//   - list: stdout gets one signature manifest digest per line, in discovery
//     order (nothing when there are none).
//
// Exit codes: 0 success, 1 failure (signing, verification or I/O), 2 usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
)

// peerVersion identifies the notation release this peer mirrors.
const peerVersion = "notation-peer (notation-go v1.3.2, notation CLI v1.3.2 behaviour)"

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

const usageText = `usage:
  notation-peer sign (--oci-layout DIR:TAG|DIR@DIGEST | REGISTRY/REPO:TAG|@DIGEST) --key KEY.pem --cert CHAIN.pem
      [--signature-format jws|cose] [--expiry DURATION] [-m k=v ...] [--plain-http] [--force-referrers-tag=false]
      [--timestamp-url URL --timestamp-root-cert ROOT.pem]
  notation-peer verify (--oci-layout DIR:TAG|DIR@DIGEST --scope SCOPE | REGISTRY/REPO:TAG|@DIGEST) --config-dir DIR
      [-m k=v ...] [--max-signatures N] [--plain-http]
  notation-peer list (--oci-layout DIR:TAG|DIR@DIGEST | REGISTRY/REPO:TAG|@DIGEST) [--max-signatures N] [--plain-http]
  notation-peer cert generate-test NAME --config-dir DIR [--bits N] [--default]
  notation-peer version`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("missing command")
	}
	switch args[0] {
	case "sign":
		return runSign(ctx, args[1:])
	case "verify":
		return runVerify(ctx, args[1:])
	case "list", "ls":
		return runList(ctx, args[1:])
	case "cert", "certificate":
		if len(args) < 2 || args[1] != "generate-test" {
			return usagef("unknown cert command: only \"cert generate-test\" is supported")
		}
		return runGenerateTest(args[2:])
	case "version":
		fmt.Println(peerVersion)
		return nil
	case "help", "-h", "--help":
		fmt.Println(usageText)
		return nil
	default:
		return usagef("unknown command %q", args[0])
	}
}

func main() {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	cancel()
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	var uerr usageError
	if errors.As(err, &uerr) {
		fmt.Fprintln(os.Stderr, usageText)
		os.Exit(2)
	}
	os.Exit(1)
}
