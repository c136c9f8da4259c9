package github

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

func appKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return key, path
}

const appConfig = `
github:
  app_id: 4242
  installation_id: 77
  private_key_file: %KEY%
  repositories: [acme/infra]
  reconcile_interval: 0
domains: [{name: product}]
rules: [{domain: product, source: github}]
people: [{name: alice, github: [alice-sre]}]
`

// TestGitHubAppSignIn: with app_id, installation_id and private_key_file,
// the source signs a JWT with the app's key, trades it at
// POST /app/installations/{id}/access_tokens (the simulation checks the
// issuer and the signature with the app's public key), and reads with the
// installation token, which it reuses until it expires.
func TestGitHubAppSignIn(t *testing.T) {
	key, path := appKey(t)
	run, err := simulation.Serve(sourcetest.Golden())
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	run.SetApp(4242, 77, &key.PublicKey)

	cfg, err := config.Parse([]byte(strings.Replace(appConfig, "%KEY%", path, 1)), config.Environment{ReadFile: os.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(cfg)
	src := sourceOf(t, cfg, "github")
	for i := 0; i < 2; i++ {
		snap, err := src.Fetch(context.Background(), sourcetest.Window)
		if err != nil {
			t.Fatalf("fetch %d: %v", i+1, err)
		}
		if len(snap.Items) == 0 {
			t.Errorf("fetch %d: no items", i+1)
		}
	}
	if issued, refused := run.TokensIssued(); issued != 1 || refused != 0 {
		t.Errorf("installation tokens: %d issued, %d refused; want one, reused", issued, refused)
	}

	// Another app's key: the simulation refuses the JWT, and the refresh
	// fails with an error that names the endpoint and holds no key.
	_, otherPath := appKey(t)
	cfg2, err := config.Parse([]byte(strings.Replace(appConfig, "%KEY%", otherPath, 1)), config.Environment{ReadFile: os.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(cfg2)
	_, err = sourceOf(t, cfg2, "github").Fetch(context.Background(), sourcetest.Window)
	if err == nil || !strings.Contains(err.Error(), "access_tokens") {
		t.Fatalf("a wrong key: %v", err)
	}
	pemText, _ := os.ReadFile(otherPath)
	if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), string(pemText[40:80])) {
		t.Error("the error shows the key")
	}
	if _, refused := run.TokensIssued(); refused == 0 {
		t.Error("the simulation did not refuse the wrong JWT")
	}
}

func TestGitHubAppConfigErrors(t *testing.T) {
	_, err := config.Parse([]byte(`
github: {app_id: 1, token_env: T, private_key_file: /nonexistent.pem, repositories: [a/b]}
domains: [{name: d}]
`), config.Environment{ReadFile: os.ReadFile, Getenv: func(string) string { return "x" }})
	want := "github.installation_id: a positive installation ID is required with app_id and private_key_file\n" +
		"github: a GitHub App (app_id, installation_id, private_key_file) and a token (token_env, token_file) are mutually exclusive"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	_, path := appKey(t)
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = config.Parse([]byte("github: {app_id: 1, installation_id: 2, private_key_file: "+path+", repositories: [a/b]}\ndomains: [{name: d}]\n"),
		config.Environment{ReadFile: os.ReadFile})
	if err == nil || err.Error() != "github.private_key_file: not an RSA private key in PEM" {
		t.Errorf("a bad key file: %v", err)
	}
}
