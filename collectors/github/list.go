package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
)

// How the exporter pages GitHub's listings. GitHub documents the Link
// header as the way to page (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api:
// "use the link header ... instead of constructing the URLs yourself"),
// and on large listings its next link carries an opaque after= cursor
// instead of a page number (wshm-dev/wshm#133). Past a depth that is not
// documented, it refuses a page with 422: deep page numbers on large
// listings (google/go-github#3565, kagent-dev/doc2vec#101), and any page of
// some listings, such as issue events and comments (octokit/octokit.net#1417,
// go-gitea/gitea#31856). So:
//
//   - every listing follows the next URL exactly as GitHub gives it, and
//     never builds a page number;
//   - a listing ordered by update that is refused past some depth resumes
//     by keyset: oldest update first, from since, with since moved to the
//     last update read whenever GitHub refuses again (listUpdated);
//   - the repository's issue events, which have no since, are read newest
//     first as deep as GitHub allows, and the rest of the window from each
//     issue's own events (syncRepo).
//
// No depth is assumed anywhere: the code works at any cap, or none.

// errDepthRefused marks a page that GitHub refused for its depth, or for
// an expired cursor.
var errDepthRefused = errors.New("GitHub refused to page this deep")

// depthError is GitHub's refusal of a page after the first; it wraps the
// API's error, so that its status and message stay visible.
type depthError struct{ err error }

func (e *depthError) Error() string { return "page refused: " + e.err.Error() }
func (e *depthError) Unwrap() []error {
	return []error{errDepthRefused, e.err}
}

// nextLink is the URL of the Link header's rel="next", or "".
func nextLink(resp *github.Response) string {
	if resp == nil || resp.Response == nil {
		return ""
	}
	for _, h := range resp.Header.Values("Link") {
		for _, part := range strings.Split(h, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next" {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

// getJSON asks for u (relative to the API's base URL, or absolute as a
// Link header gives it) and decodes the answer into v.
func getJSON(ctx context.Context, c *github.Client, u string, v any) (*github.Response, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req, v)
}

// walk follows a listing from first through the next links that GitHub
// gives, handing every item to visit as its page arrives and stopping
// when visit says the rest is not needed. Pages are not kept. When
// conditional, the first page carries its ETag; a 304 comes back as an
// error for which notModified is true, and means nothing changed, so a
// conditional listing must order its items so that any change lands on
// its first page. Later pages are asked for without a condition: nothing
// keeps their bodies to answer a 304 from. A page after the first that
// GitHub refuses with 422 is a depthError.
func walk[T any](ctx context.Context, c *github.Client, first string, conditional bool, visit func(T) (stop bool)) error {
	base, err := url.Parse(c.BaseURL())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for u, n := first, 0; u != ""; n++ {
		key := u
		if ref, err := base.Parse(u); err == nil {
			key = ref.String()
		}
		if seen[key] {
			return errors.New("pagination loop: the next link points back to a page already read")
		}
		seen[key] = true
		pageCtx := ctx
		if n > 0 || !conditional {
			pageCtx = apiclient.WithUnconditional(ctx)
		}
		var items []T
		resp, err := getJSON(pageCtx, c, u, &items)
		if err != nil {
			if n > 0 && statusOf(err) == http.StatusUnprocessableEntity {
				return &depthError{err: err}
			}
			return err
		}
		for _, it := range items {
			if visit(it) {
				return nil
			}
		}
		u = nextLink(resp)
	}
	return nil
}

// listing is the first URL of a listing: a path under the API and its
// query.
func listing(path string, q url.Values) string {
	q.Set("per_page", "100")
	return path + "?" + q.Encode()
}

// listUpdated lists every item of a listing updated at or after since
// (zero: every item), and hands each to visit; an item may be handed over
// twice. It reads newest update first, with the first page conditional
// when asked, so that any change lands on that page. When GitHub refuses
// to page that deep, the rest (from since up to the oldest update read)
// is read oldest update first, and whenever GitHub refuses again, the
// listing starts over from the last update read (keyset pagination).
// GitHub documents since as "only show results that were last updated
// after the given time"; whether that is inclusive is not documented, so
// each restart reaches one second back. It fails only when more items
// share one second of update than GitHub pages through.
func listUpdated[T any](ctx context.Context, c *github.Client, path string, q url.Values, since time.Time, conditional bool,
	updated func(T) time.Time, visit func(T)) error {
	q.Set("sort", "updated")
	q.Set("direction", "desc")
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339))
	}
	var oldest time.Time
	read := false
	err := walk(ctx, c, listing(path, q), conditional, func(it T) bool {
		visit(it)
		oldest, read = updated(it), true
		return false
	})
	if err == nil || !errors.Is(err, errDepthRefused) || !read {
		return err
	}
	q.Set("direction", "asc")
	from := since
	for {
		if !from.IsZero() {
			q.Set("since", from.UTC().Format(time.RFC3339))
		}
		last := from
		err := walk(ctx, c, listing(path, q), false, func(it T) bool {
			u := updated(it)
			if u.After(oldest) {
				return true // read newest first already
			}
			visit(it)
			last = u
			return false
		})
		if err == nil || !errors.Is(err, errDepthRefused) {
			return err
		}
		next := last.Add(-time.Second)
		if !next.After(from) {
			return fmt.Errorf("more items updated within one second than GitHub pages through: %w", err)
		}
		from = next
	}
}
