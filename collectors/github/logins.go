package github

import (
	"strings"

	"github.com/sre-workload/sre_workload_exporter/collectors"
)

// The state file holds no GitHub login (issue 17): every login in it —
// authors, actors, assignees, the logins searched for — is written as
// savedLogin's one-way hash, and read back as the login of the configured
// person whose login has that hash. A hash that is nobody's stays a hash:
// it is someone outside the team, whose actions are never attributed,
// unless a later config adds their login, which maps it back. So the
// mapping from hashes to people lives only in the config.
const loginHashPrefix = "~" // collectors.OneWay's

// savedLogin is how a login is written in the state file; "" (a bot)
// stays "".
func savedLogin(login string) string {
	if login == "" || strings.HasPrefix(login, loginHashPrefix) {
		return login
	}
	return collectors.OneWay("github login", strings.ToLower(login))
}

// loginCodec turns saved hashes back into the team's logins.
type loginCodec map[string]string

func newLoginCodec(logins []string) loginCodec {
	c := loginCodec{}
	for _, l := range logins {
		c[savedLogin(l)] = strings.ToLower(l)
	}
	return c
}

func (c loginCodec) login(saved string) string {
	if l, ok := c[saved]; ok {
		return l
	}
	return saved
}

// saved is a repository's state as the state file holds it.
func (st *RepoState) saved() *RepoState {
	c := st.clone()
	c.mapLogins(savedLogin)
	return c
}

// mapLogins replaces every login of the repository's state with f's.
func (st *RepoState) mapLogins(f func(string) string) {
	for _, it := range st.Items {
		it.Author = f(it.Author)
		if len(it.Item.Assignees) > 0 {
			as := make([]string, len(it.Item.Assignees))
			for i, a := range it.Item.Assignees {
				as[i] = f(a)
			}
			it.Item.Assignees = as
		}
	}
	for _, m := range []map[int64]Action{st.Comments, st.Reviews, st.Submitted, st.Events} {
		for id, a := range m {
			a.Actor = f(a.Actor)
			m[id] = a
		}
	}
}
