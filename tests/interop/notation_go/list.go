package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// errExceedMaxSignatures stops listing once --max-signatures were printed.
var errExceedMaxSignatures = errors.New("exceeded configured limit of max signatures")

func runList(ctx context.Context, args []string) error {
	fs := newFlagSet("list")
	var common commonFlags
	var tf targetFlags
	maxSignatures := 100
	common.register(fs)
	tf.register(fs)
	fs.IntVar(&maxSignatures, "max-signatures", 100, "maximum number of signatures to list")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	raw, err := exactlyOne("list", positional, "reference to the artifact")
	if err != nil {
		return err
	}
	if maxSignatures <= 0 {
		return usagef("max-signatures value %d must be a positive number", maxSignatures)
	}
	ctx = common.withLogger(ctx)

	// list always allows the Referrers API, falling back to the tag schema.
	tgt, err := openTarget(ctx, tf, raw, false)
	if err != nil {
		return err
	}
	desc, resolvedRef, err := tgt.resolve(ctx, tf.ociLayout, "list")
	if err != nil {
		return err
	}
	count := 0
	err = tgt.repo.ListSignatures(ctx, desc, func(manifests []ocispec.Descriptor) error {
		for _, m := range manifests {
			if count >= maxSignatures {
				return errExceedMaxSignatures
			}
			count++
			fmt.Println(m.Digest.String())
		}
		return nil
	})
	if errors.Is(err, errExceedMaxSignatures) {
		warnf("exceeded configured limit of max signatures %d to examine", maxSignatures)
	} else if err != nil {
		return err
	}
	if count == 0 {
		fmt.Fprintf(os.Stderr, "%s has no associated signature\n", resolvedRef)
	}
	return nil
}
