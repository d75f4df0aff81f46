package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Helm marks the messages of `required` and `fail` so that its error report can show them alone,
// without text/template's chain of "executing ... at <...>: error calling ..." prefixes.
const (
	messageStart = "HELM_ERR_START"
	messageEnd   = "HELM_ERR_END"
)

var markedMessage = regexp.MustCompile(messageStart + `((?s).*)` + messageEnd)

func marked(message string) error { return errors.New(messageStart + message + messageEnd) }

// maxIncludeDepth is where Helm stops a template that includes itself without end.
const maxIncludeDepth = 1000

// render executes every template of the chart except the _* partials, as Helm's engine does:
// one template set holding every file, "missingkey=zero" (a missing map key is nil, a field of
// nil an error), and "<no value>" blanked out of the output. The order is Helm's too (deeper
// paths first, then names in reverse), so that the first error reported is the one Helm reports.
func render(ch *chart, top map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	t.Funcs(funcMap(t, map[string]int{}))

	names := make([]string, 0, len(ch.Templates))
	data := make(map[string]string, len(ch.Templates))
	for _, f := range ch.Templates {
		names = append(names, f.name)
		data[f.name] = f.data
	}
	sort.Slice(names, func(i, j int) bool {
		di, dj := strings.Count(names[i], "/"), strings.Count(names[j], "/")
		if di != dj {
			return di > dj
		}
		return names[i] > names[j]
	})

	for _, name := range names {
		if _, err := t.New(name).Parse(data[name]); err != nil {
			return nil, parseError(name, err)
		}
	}

	basePath := path.Join(ch.Metadata.Name, "templates")
	out := make(map[string]string, len(names))
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		vals := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": basePath}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, execError(name, err)
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

// funcMap is sprig's text function map without env and expandenv (a chart must not read the
// environment of whoever renders it), plus Helm's functions. TOML functions are left out: a
// template using them fails to parse with "function ... not defined" rather than rendering wrongly.
func funcMap(t *template.Template, included map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	helm := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"include":       include(t, included),
		"tpl":           tpl(t, included),
		"required":      required,
		"fail":          func(message string) (string, error) { return "", marked(message) },
		// Without a cluster, `helm template` answers every lookup with an empty map.
		"lookup": func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for name, fn := range helm {
		f[name] = fn
	}
	return f
}

func include(t *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		if included[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
}

// tpl renders a string as a template that sees the chart's named templates. It works on a clone,
// so the string's own definitions do not leak into the chart, and rebinds include and tpl to it.
func tpl(parent *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(text string, vals interface{}) (string, error) {
		clone, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		// Clone does not carry the missingkey option over.
		clone.Option("missingkey=zero")
		clone.Funcs(template.FuncMap{"include": include(clone, included), "tpl": tpl(clone, included)})
		parsed, err := clone.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := parsed.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// required fails on nil and on the empty string, as Helm's does; other zero values (0, false) pass.
func required(message string, val interface{}) (interface{}, error) {
	if val == nil {
		return val, marked(message)
	}
	if s, ok := val.(string); ok && s == "" {
		return val, marked(message)
	}
	return val, nil
}

// toYAML marshals like Helm's: through JSON (sorted keys, Kubernetes' conventions), trailing
// newline removed, and an empty string on error.
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

type unmarshalFunc func([]byte, interface{}) error

var (
	fromYAML      = fromMap(func(b []byte, v interface{}) error { return yaml.Unmarshal(b, v) })
	fromYAMLArray = fromArray(func(b []byte, v interface{}) error { return yaml.Unmarshal(b, v) })
	fromJSON      = fromMap(json.Unmarshal)
	fromJSONArray = fromArray(json.Unmarshal)
)

// fromMap and fromArray never fail the render, as in Helm: a parse error becomes the result's
// "Error" key, or its only item.
func fromMap(unmarshal unmarshalFunc) func(string) map[string]interface{} {
	return func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
}

func fromArray(unmarshal unmarshalFunc) func(string) []interface{} {
	return func(s string) []interface{} {
		var a []interface{}
		if err := unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
}

// parseError words a parse error as Helm does: "parse error at (<file>:<line>): <message>".
func parseError(name string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %s", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", tokens[1], tokens[len(tokens)-1])
}

// execError words the message of `required` or `fail` as Helm does, "execution error at
// (<file>:<line>:<col>): <message>", and leaves any other execution error as text/template said it.
func execError(name string, err error) error {
	var execErr template.ExecError
	if !errors.As(err, &execErr) {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", name, err)
	}
	if m := markedMessage.FindStringSubmatch(tokens[2]); m != nil {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], m[1])
	}
	return err
}

// documentSeparator is the split Helm applies to rendered files before it reads their kinds.
var documentSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// write prints the rendered manifests like `helm template`, after checking, as Helm does when it
// sorts them, that every document is YAML.
func write(w io.Writer, ch *chart, rendered map[string]string, withNotes bool) error {
	notesName := path.Join(ch.Metadata.Name, "templates", "NOTES.txt")
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		if name != notesName {
			names = append(names, name)
		}
	}
	sort.Strings(names)

	var out strings.Builder
	for _, name := range names {
		for _, doc := range documentSeparator.Split(strings.TrimSpace(rendered[name]), -1) {
			doc = strings.TrimSpace(doc)
			if doc == "" {
				continue
			}
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return fmt.Errorf("YAML parse error on %s: %w", name, err)
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, doc)
		}
	}
	if notes, ok := rendered[notesName]; ok && withNotes {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", notesName, strings.TrimSpace(notes))
	}
	_, err := io.WriteString(w, out.String())
	return err
}
