package webpush

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"time"

	"venuehop/internal/errcode"
)

// GenerateKeys makes a new VAPID key pair (P-256).
func GenerateKeys() (Keys, error) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Keys{}, errcode.Wrap(errcode.Internal, err, "cannot make a VAPID key")
	}
	return Keys{
		Public:  base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
		Private: base64.RawURLEncoding.EncodeToString(k.Bytes()),
	}, nil
}

// LoadKeys returns the store's VAPID key pair, making and storing one on
// the first start (of any node: the first to store wins, the others
// adopt its pair).
func LoadKeys(ctx context.Context, st Store, now time.Time) (Keys, error) {
	candidate, err := GenerateKeys()
	if err != nil {
		return Keys{}, err
	}
	k, err := st.SharedVAPIDKeys(ctx, candidate, now)
	if err != nil {
		return Keys{}, err
	}
	if err := k.check(); err != nil {
		return Keys{}, err
	}
	return k, nil
}

// check verifies that the pair is a P-256 pair that belongs together.
func (k Keys) check() error {
	priv, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil {
		return errcode.New(errcode.Internal, "the stored VAPID private key is not base64url")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return errcode.New(errcode.Internal, "the stored VAPID private key is not a P-256 key")
	}
	if base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()) != k.Public {
		return errcode.New(errcode.Internal, "the stored VAPID public key does not match its private key")
	}
	return nil
}
