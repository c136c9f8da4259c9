package apiclient

import (
	"fmt"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Redact removes anything that looks like a credential from an error
// message: query parameters that carry tokens, and the given secrets.
func Redact(msg string, secrets ...config.Secret) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, string(s), "REDACTED")
		}
	}
	for _, key := range []string{"access_token=", "token=", "client_secret="} {
		for i := 0; ; {
			j := strings.Index(msg[i:], key)
			if j < 0 {
				break
			}
			start := i + j + len(key)
			end := start
			for end < len(msg) && !strings.ContainsRune("&\" \n", rune(msg[end])) {
				end++
			}
			msg = msg[:start] + "REDACTED" + msg[end:]
			i = start + len("REDACTED")
		}
	}
	return msg
}

// sourceError is an API failure with the token scrubbed from its text.
// Redaction rewrites the message, never the type: the cause stays in the
// chain, so that errors.As still finds a *ThrottledError, a
// context.Canceled or the client library's HTTP error. Nothing prints the
// cause's own text.
type sourceError struct {
	msg   string
	cause error
}

func (e *sourceError) Error() string { return e.msg }
func (e *sourceError) Unwrap() error { return e.cause }

// Scrub is err with the secrets, and anything that looks like a credential,
// removed from its message; its cause stays in the chain.
func Scrub(err error, secrets ...config.Secret) error {
	if err == nil {
		return nil
	}
	return &sourceError{msg: Redact(err.Error(), secrets...), cause: err}
}

// Scrubbed is an error with the message msg, redacted, and the cause err.
func Scrubbed(msg string, err error, secrets ...config.Secret) error {
	return &sourceError{msg: Redact(msg, secrets...), cause: err}
}

// Errorf is fmt.Errorf, scrubbed of secret.
func Errorf(secret config.Secret, format string, args ...any) error {
	return Scrub(fmt.Errorf(format, args...), secret)
}

// statusError is an error answer's error with its HTTP status, for
// collectors.KindOf.
type statusError struct {
	error
	status int
}

func (e *statusError) HTTPStatus() int { return e.status }
func (e *statusError) Unwrap() error   { return e.error }

// WithStatus attaches the HTTP status of the API's answer to err; a
// status of 0 (no answer) leaves err as it is.
func WithStatus(err error, status int) error {
	if err == nil || status == 0 {
		return err
	}
	return &statusError{error: err, status: status}
}
