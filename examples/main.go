// A Go service with the verification mistakes jwt-lsp reports.
package main

import (
	"net/http"
	"time"

	"github.com/dgrijalva/jwt-go" // insecure-jwt-library (CVE-2020-26160)
	jwtv5 "github.com/golang-jwt/jwt/v5"
)

func handler(w http.ResponseWriter, r *http.Request) {
	// verify-missing-algorithms (no WithValidMethods, no t.Method check), verify-bearer-prefix,
	// hardcoded-secret, and aud/iss never checked
	token, err := jwtv5.Parse(r.Header.Get("Authorization"), func(t *jwtv5.Token) (interface{}, error) {
		return []byte("AllYourBase"), nil
	}, jwtv5.WithLeeway(time.Hour)) // verify-large-leeway
	_, _ = token, err
}

func legacy(tokenString string) (*jwt.Token, error) {
	return jwt.Parse(tokenString, func(t *jwt.Token) (interface{}, error) {
		return jwt.UnsafeAllowNoneSignatureType, nil // verify-allows-none
	})
}
