package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem in a config file, at one field path such as
// "rules[3].title". Indexes count from 0.
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Errors is every problem found in a config file, in file order.
type Errors []FieldError

func (e *Errors) add(path, format string, args ...any) {
	*e = append(*e, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (e *Errors) Error() string {
	lines := make([]string, len(*e))
	for i, fe := range *e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkShape walks the YAML document against the Go type it will be decoded
// into, and reports unknown keys and values of the wrong type with their
// field paths. The YAML decoder reports these with line numbers only.
func checkShape(n *yaml.Node, target any, path string, errs *Errors) {
	checkNode(n, reflect.TypeOf(target), path, errs)
}

func checkNode(n *yaml.Node, t reflect.Type, path string, errs *Errors) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		checkDecode(n, t, path, errs)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			errs.add(path, "expected a mapping, got %s", describe(n))
			return
		}
		fields := yamlFields(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			p := join(path, key)
			if seen[key] {
				errs.add(p, "key is given more than once")
				continue
			}
			seen[key] = true
			ft, ok := fields[key]
			if !ok {
				errs.add(p, "unknown field")
				continue
			}
			checkNode(val, ft, p, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			errs.add(path, "expected a list, got %s", describe(n))
			return
		}
		for i, el := range n.Content {
			checkNode(el, t.Elem(), index(path, i), errs)
		}
	default:
		checkDecode(n, t, path, errs)
	}
}

func checkDecode(n *yaml.Node, t reflect.Type, path string, errs *Errors) {
	if n.Kind != yaml.ScalarNode && t.Kind() != reflect.Struct {
		errs.add(path, "expected a single value, got %s", describe(n))
		return
	}
	v := reflect.New(t)
	if err := n.Decode(v.Interface()); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
		msg = strings.TrimSpace(msg)
		if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
			msg = msg[i+2:]
		}
		errs.add(path, "%s", msg)
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := strings.Split(f.Tag.Get("yaml"), ",")
		if len(tag) > 1 && tag[1] == "inline" {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name := tag[0]
		if name == "" || name == "-" {
			continue
		}
		out[name] = f.Type
	}
	return out
}
