package simulation

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// How GitHub pages its listings, as its users have recorded it. The REST
// reference documents page and per_page and the Link header
// (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api),
// but not how deep page numbers go. In practice:
//
//   - On large listings GitHub refuses deep page numbers with 422 "Pagination
//     with the page parameter is not supported for large datasets, please use
//     cursor based pagination (after/before)" (google/go-github#3565,
//     python-github-backup#429; kagent-dev/doc2vec#101 saw it at page 11 with
//     per_page=100), and its Link header's next link then carries an opaque
//     after= cursor instead of page= (wshm-dev/wshm#133).
//   - Other listings stop at a depth with 422 "In order to keep the API fast
//     for everyone, pagination is limited for this resource. Check the
//     rel=last link relation in the Link response header to see how far back
//     you can traverse." and offer no cursor (octokit/octokit.net#1417 and
//     #1979 on issue events, go-gitea/gitea#31856 on issue comments).
//   - The refused answer's body is {"message", "documentation_url",
//     "status": "422"} (josegonzalez/python-github-backup#429, #449).
//
// The depth is not documented and has changed over time, so it is a field of
// the server (MaxPage), never a constant the exporter could learn.
//
// A cursor link observed in the wild keeps per_page and the filters and
// carries both page= and after= (github/docs, using-pagination-in-the-rest-api.md:
// "The per_page parameter will automatically be included in the link
// header"); GitHub may also move it to /repositories/{id}/..., which this
// simulation does not.
//
// Assumptions, for want of evidence: a listing is "large" when it has more
// than MaxPage pages at the requested per_page; cursor pages are not capped;
// an expired or unknown cursor answers 422; a limited listing's last link
// points at the deepest page it serves.

// paging is how one listing pages.
type paging int

const (
	// pagedPlain serves any page number: listings that are small by
	// nature (an owner's repositories).
	pagedPlain paging = iota
	// pagedCursor serves page numbers up to MaxPage and, on a large
	// listing, next links with an after= cursor (repository issues).
	pagedCursor
	// pagedLimited serves page numbers up to MaxPage and refuses deeper
	// ones, with no cursor (comments, review comments, issue events).
	pagedLimited
)

// DefaultMaxPage is the deepest page number served by default: page 11 at
// per_page=100 was refused in kagent-dev/doc2vec#101. Tests set other
// depths with SetMaxPage; the exporter must work at any of them.
const DefaultMaxPage = 10

const (
	msgLargeDataset = "Pagination with the page parameter is not supported for large datasets, please use cursor based pagination (after/before)"
	msgLimited      = "In order to keep the API fast for everyone, pagination is limited for this resource. Check the rel=last link relation in the Link response header to see how far back you can traverse."
	// msgBadCursor is what an expired or unknown cursor gets. Assumption:
	// no public record of the real answer was found; 422 with a message is
	// GitHub's usual validation failure
	// (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api).
	msgBadCursor = "The cursor is invalid or has expired."
)

// SetMaxPage sets the deepest page number that listings serve (see
// DefaultMaxPage); 0 serves every page.
func (s *Server) SetMaxPage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPage = n
}

// cursorOf encodes an offset into a listing as an opaque cursor, bound to
// the query it pages (without after, page and per_page), so that a cursor
// of another query is refused.
func cursorOf(offset int, query string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.Itoa(offset) + ":" + query))
}

func offsetOf(cursor, query string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "v1:")
	if !ok {
		return 0, false
	}
	n, q, ok := strings.Cut(rest, ":")
	off, err := strconv.Atoi(n)
	if !ok || err != nil || off < 0 || q != query {
		return 0, false
	}
	return off, true
}

// pageQuery is the request's query without its position in the listing.
func pageQuery(r *http.Request) string {
	q := r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Del("page")
	q.Del("per_page")
	return q.Encode()
}

// paginate chooses one page of n items and writes GitHub's Link header. It
// returns false after answering 422 for a page that the listing refuses.
// per_page defaults to 30 and is at most 100
// (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n int, how paging) (lo, hi int, ok bool) {
	per := intParam(r, "per_page", 30, 100)
	page := intParam(r, "page", 1, 0)
	last := max(1, (n+per-1)/per)
	large := s.maxPage > 0 && last > s.maxPage && how != pagedPlain
	base := pageQuery(r)

	if after := r.URL.Query().Get("after"); after != "" {
		off, valid := offsetOf(after, base)
		if how != pagedCursor || !valid || s.faultKind() == FaultCursorExpired {
			githubError(w, http.StatusUnprocessableEntity, msgBadCursor)
			return 0, 0, false
		}
		lo = min(off, n)
		hi = min(lo+per, n)
		if hi < n {
			w.Header().Set("Link", s.link(r, url.Values{"after": {cursorOf(hi, base)}, "page": {strconv.Itoa(hi/per + 1)}}, per, "next"))
		}
		return lo, hi, true
	}
	if large && page > s.maxPage {
		msg := msgLimited
		if how == pagedCursor {
			msg = msgLargeDataset
		}
		githubError(w, http.StatusUnprocessableEntity, msg)
		return 0, 0, false
	}
	lo = min((page-1)*per, n)
	hi = min(lo+per, n)
	var links []string
	switch {
	case s.faultKind() == FaultLoop && page == 2:
		links = append(links, s.link(r, url.Values{"page": {"1"}}, per, "next"), s.link(r, url.Values{"page": {strconv.Itoa(last)}}, per, "last"))
	case large && how == pagedCursor && hi < n:
		// A large listing hands out a cursor, and no last page
		// (wshm-dev/wshm#133).
		links = append(links, s.link(r, url.Values{"after": {cursorOf(hi, base)}, "page": {strconv.Itoa(page + 1)}}, per, "next"))
	case page < last:
		// The next link is offered up to the real last page: clients that
		// follow it meet the 422 (octokit/octokit.net#1417 followed links).
		shown := last
		if large {
			shown = s.maxPage // how far back the listing can be traversed
		}
		links = append(links, s.link(r, url.Values{"page": {strconv.Itoa(page + 1)}}, per, "next"),
			s.link(r, url.Values{"page": {strconv.Itoa(shown)}}, per, "last"))
	}
	if page > 1 {
		links = append(links, s.link(r, url.Values{"page": {"1"}}, per, "first"), s.link(r, url.Values{"page": {strconv.Itoa(page - 1)}}, per, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	return lo, hi, true
}

// link is one Link header entry: the request's URL with its position
// replaced by pos.
func (s *Server) link(r *http.Request, pos url.Values, per int, rel string) string {
	q := r.URL.Query()
	q.Del("after")
	q.Del("page")
	for k, v := range pos {
		q[k] = v
	}
	q.Set("per_page", strconv.Itoa(per))
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
}
