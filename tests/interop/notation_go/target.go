package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"unicode"

	notationregistry "github.com/notaryproject/notation-go/registry"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

const userAgent = "notation-peer/1.3.2"

// targetFlags select and reach the artifact: an OCI layout or a registry.
type targetFlags struct {
	ociLayout bool
	plainHTTP bool
}

func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&t.ociLayout, "oci-layout", false, "the reference is an OCI image layout DIR:TAG or DIR@DIGEST")
	fs.BoolVar(&t.plainHTTP, "plain-http", false, "use plain HTTP to reach the registry")
	fs.BoolVar(&t.plainHTTP, "insecure-registry", false, "alias of --plain-http (notation's name)")
}

// target is an opened notation repository plus what the CLI prints for it.
type target struct {
	repo notationregistry.Repository
	// base is the layout path or REGISTRY/REPO, without tag or digest.
	base string
	// reference is the tag or digest part of the user's reference.
	reference string
	// recorder sees the registry's HTTP traffic (nil for layouts).
	recorder *manifestPutRecorder
}

// openTarget opens the layout or registry repository as notation 1.3.2's
// getRepository does. forceReferrersTag only matters for registries.
func openTarget(ctx context.Context, flags targetFlags, raw string, forceReferrersTag bool) (*target, error) {
	if flags.ociLayout {
		layoutPath, ref, err := parseOCILayoutReference(raw)
		if err != nil {
			return nil, err
		}
		repo, err := notationregistry.NewOCIRepository(layoutPath, notationregistry.RepositoryOptions{})
		if err != nil {
			return nil, err
		}
		return &target{repo: repo, base: layoutPath, reference: ref}, nil
	}
	ref, err := registry.ParseReference(raw)
	if err != nil {
		return nil, usagef("%q: %v. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>", raw, err)
	}
	if ref.Reference == "" {
		return nil, usagef("%q: invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>", raw)
	}
	recorder := &manifestPutRecorder{base: http.DefaultTransport}
	client := &auth.Client{
		Client:   &http.Client{Transport: recorder},
		Cache:    auth.NewCache(),
		ClientID: "notation",
	}
	client.SetUserAgent(userAgent)
	username, password := os.Getenv("NOTATION_USERNAME"), os.Getenv("NOTATION_PASSWORD")
	if username != "" || password != "" {
		cred := auth.Credential{Username: username, Password: password}
		if username == "" {
			cred = auth.Credential{RefreshToken: password}
		}
		client.Credential = auth.StaticCredential(ref.Host(), cred)
	}
	plainHTTP := flags.plainHTTP
	if host, _, _ := net.SplitHostPort(ref.Registry); host == "localhost" {
		plainHTTP = true
	}
	remoteRepo := &remote.Repository{Client: client, Reference: ref, PlainHTTP: plainHTTP}
	if forceReferrersTag {
		if err := remoteRepo.SetReferrersCapability(false); err != nil {
			return nil, err
		}
	}
	return &target{
		repo:      notationregistry.NewRepository(remoteRepo),
		base:      ref.Registry + "/" + ref.Repository,
		reference: ref.Reference,
		recorder:  recorder,
	}, nil
}

// resolve resolves the tag or digest to the manifest descriptor and returns
// it with "<base>@<digest>", checking a digest reference and warning about a
// tag as the CLI does. operation names the command in the warning.
func (t *target) resolve(ctx context.Context, layout bool, operation string) (ocispec.Descriptor, string, error) {
	if layout {
		info, err := os.Stat(t.base)
		if err != nil {
			return ocispec.Descriptor{}, "", fmt.Errorf("failed to resolve user input reference: %w", err)
		}
		if !info.IsDir() {
			return ocispec.Descriptor{}, "", errors.New("failed to resolve user input reference: input path is not a dir")
		}
	}
	desc, err := t.repo.Resolve(ctx, t.reference)
	if err != nil {
		return ocispec.Descriptor{}, "", fmt.Errorf("failed to get manifest descriptor: %w", err)
	}
	resolved := t.base + "@" + desc.Digest.String()
	if _, err := digest.Parse(t.reference); err == nil {
		if t.reference != desc.Digest.String() {
			return ocispec.Descriptor{}, "", fmt.Errorf("user input digest %s does not match the resolved digest %s", t.reference, desc.Digest.String())
		}
		return desc, resolved, nil
	}
	if operation == "sign" {
		warnf("Always sign the artifact using digest(@sha256:...) rather than a tag(:%s) because tags are mutable and a tag reference can point to a different artifact than the one signed.", t.reference)
	} else {
		warnf("Always %s the artifact using digest(@sha256:...) rather than a tag(:%s) because resolved digest may not point to the same signed artifact, as tags are mutable.", operation, t.reference)
	}
	return desc, resolved, nil
}

// parseOCILayoutReference splits "<path>:<tag>" or "<path>@<digest>" with the
// notation CLI's rules: the last "@" wins, else the last ":" (except a lone
// Windows drive letter).
func parseOCILayoutReference(raw string) (string, string, error) {
	var path, ref string
	if idx := strings.LastIndex(raw, "@"); idx != -1 {
		path, ref = raw[:idx], raw[idx+1:]
	} else {
		idx := strings.LastIndex(raw, ":")
		if idx == -1 || (idx == 1 && len(raw) > 2 && unicode.IsLetter(rune(raw[0])) && raw[2] == '\\') {
			return "", "", usagef("%q: invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>", raw)
		}
		path, ref = raw[:idx], raw[idx+1:]
	}
	if path == "" {
		return "", "", usagef("%q: invalid reference: missing oci-layout file path. Expecting <file_path>:<tag> or <file_path>@<digest>", raw)
	}
	if ref == "" {
		return "", "", usagef("%q: invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>", raw)
	}
	return path, ref, nil
}

// manifestPutRecorder remembers the digest of the last manifest accepted by a
// PUT /v2/<repo>/manifests/<digest>. Signing pushes exactly one manifest by
// digest (the signature manifest; the referrers tag-schema index is pushed by
// tag), so this recovers the signature digest when notation-go reports the
// non-fatal "failed to delete dangling referrers index" error instead of it.
type manifestPutRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	last string
}

func (r *manifestPutRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodPut || resp.StatusCode != http.StatusCreated {
		return resp, err
	}
	if _, ref, ok := strings.Cut(req.URL.Path, "/manifests/"); ok {
		if d, perr := digest.Parse(ref); perr == nil {
			r.mu.Lock()
			r.last = d.String()
			r.mu.Unlock()
		}
	}
	return resp, err
}

func (r *manifestPutRecorder) lastManifestDigest() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}
