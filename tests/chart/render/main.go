// helm-render: `helm template` for the tests of charts/todo-platform, on a machine where
// Helm itself cannot be installed (its binary is in no package source we reach). It is
// Helm's own engine rebuilt from Debian packages: Go's text/template with the Sprig
// function library (golang-github-masterminds-sprig-dev), Helm's additional functions
// (include, tpl, toYaml/fromYaml/toJson/fromJson, required, fail, lookup returning
// nothing), its built-in objects (.Values, .Release, .Chart, .Capabilities, .Template,
// .Files) and its values.schema.json check (gojsonschema, the validator Helm 3 uses).
// The CI workflow runs the real `helm lint` / `helm template`; this covers `make test`.
//
// Usage: helm-render [-f values.yaml]... [--set a.b=c]... [--name NAME] [--namespace NS] [--strict] CHART_DIR
// --strict: a reference to a missing value is an error (missingkey=error, as `helm lint --strict`).
// Prints every rendered manifest like `helm template` ("---\n# Source: chart/templates/x.yaml").
// Exits 1 with "Error: ..." on a template error, a failed `required`/`fail`, or values the
// schema rejects (the same conditions under which `helm template` fails).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "Error: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var valueFiles, sets stringList
	name, namespace, chartDir := "todo", "default", ""
	strict := false
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		next := func() string {
			if i+1 >= len(args) {
				die("%s needs a value", args[i])
			}
			i++
			return args[i]
		}
		switch a := args[i]; {
		case a == "-f" || a == "--values":
			valueFiles.Set(next())
		case a == "--set":
			sets.Set(next())
		case a == "--name":
			name = next()
		case a == "--namespace" || a == "-n":
			namespace = next()
		case a == "--strict":
			strict = true
		case strings.HasPrefix(a, "-"):
			die("unknown flag %s", a)
		default:
			chartDir = a
		}
	}
	if chartDir == "" {
		die("usage: helm-render [-f values.yaml]... [--set k=v]... [--name N] [--namespace NS] CHART_DIR")
	}
	out, err := render(chartDir, valueFiles, sets, name, namespace, strict)
	if err != nil {
		die("%v", err)
	}
	os.Stdout.WriteString(out)
}

func readYAMLMap(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// coalesce merges override into base the way Helm merges values files: maps deeply,
// everything else replaced; a null in the override deletes the key.
func coalesce(base, override map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = coalesce(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// applySet applies one --set a.b.c=value (Helm's strvals for the plain dotted form:
// true/false/null/integers typed, everything else a string).
func applySet(values map[string]any, expr string) error {
	key, raw, ok := strings.Cut(expr, "=")
	if !ok || key == "" {
		return fmt.Errorf("--set %q: expected key=value", expr)
	}
	var val any = raw
	switch {
	case raw == "true" || raw == "false":
		val = raw == "true"
	case raw == "null":
		val = nil
	default:
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			val = n
		}
	}
	parts := strings.Split(key, ".")
	m := values
	for _, p := range parts[:len(parts)-1] {
		child, ok := m[p].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[p] = child
		}
		m = child
	}
	m[parts[len(parts)-1]] = val
	return nil
}

func validateSchema(chartDir string, values map[string]any) error {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	doc, err := json.Marshal(values)
	if err != nil {
		return err
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(raw), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if res.Valid() {
		return nil
	}
	var msgs []string
	for _, e := range res.Errors() {
		msgs = append(msgs, "- "+e.String())
	}
	return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", strings.Join(msgs, "\n"))
}

func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return "" // Helm's toYaml swallows errors the same way
	}
	return strings.TrimSuffix(string(b), "\n")
}

func render(chartDir string, valueFiles, sets []string, name, namespace string, strict bool) (string, error) {
	chartMeta, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, f := range valueFiles {
		override, err := readYAMLMap(f)
		if err != nil {
			return "", err
		}
		values = coalesce(values, override)
	}
	for _, s := range sets {
		if err := applySet(values, s); err != nil {
			return "", err
		}
	}
	if err := validateSchema(chartDir, values); err != nil {
		return "", err
	}
	chartName, _ := chartMeta["name"].(string)

	// Helm's .Chart capitalises the Chart.yaml keys (name -> Name, appVersion -> AppVersion).
	chartObj := map[string]any{}
	for k, v := range chartMeta {
		chartObj[strings.ToUpper(k[:1])+k[1:]] = v
	}

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	root := template.New("gotpl")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these two: a chart must not read the renderer's environment
	delete(funcs, "expandenv")
	includeDepth := 0
	funcs["include"] = func(name string, data any) (string, error) {
		if includeDepth++; includeDepth > 1000 {
			return "", fmt.Errorf("include %q: recursion too deep", name)
		}
		defer func() { includeDepth-- }()
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data any) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = func(s string) map[string]any {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["fromJson"] = func(s string) map[string]any {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["required"] = func(msg string, v any) (any, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	// `helm template` has no cluster to ask: lookup answers an empty object, as there.
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]any, error) {
		return map[string]any{}, nil
	}
	if strict {
		root.Funcs(funcs).Option("missingkey=error")
	} else {
		root.Funcs(funcs).Option("missingkey=zero")
	}

	var names []string
	for _, f := range files {
		base := filepath.Base(f)
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		if base == "NOTES.txt" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		tname := chartName + "/templates/" + base
		if _, err := root.New(tname).Parse(string(src)); err != nil {
			return "", err
		}
		if !strings.HasPrefix(base, "_") {
			names = append(names, tname)
		}
	}

	filesObj := chartFiles{dir: chartDir}
	var out strings.Builder
	for _, tname := range names {
		data := map[string]any{
			"Values":  values,
			"Chart":   chartObj,
			"Files":   filesObj,
			"Release": map[string]any{"Name": name, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
			"Capabilities": map[string]any{
				"KubeVersion": map[string]any{"Version": "v1.30.0", "Major": "1", "Minor": "30", "GitVersion": "v1.30.0"},
				"APIVersions": apiVersions{},
			},
			"Template": map[string]any{"Name": tname, "BasePath": chartName + "/templates"},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, tname, data); err != nil {
			return "", err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		// one "# Source:" header per document, like helm template
		for _, doc := range strings.Split("\n"+text, "\n---") {
			// the separator's own line may carry more (e.g. "--- # comment"): keep the body only
			if i := strings.IndexByte(doc, '\n'); i >= 0 && !strings.HasPrefix(doc, "\n") {
				doc = doc[i:]
			}
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			out.WriteString("---\n# Source: " + tname + "\n" + strings.TrimLeft(doc, "\n") + "\n")
		}
	}
	return out.String(), nil
}

func stripComments(doc string) string {
	var keep []string
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// .Capabilities.APIVersions.Has: `helm template` without a cluster knows only the
// built-in API groups, so CRD-backed kinds (monitoring.coreos.com, ...) are absent.
type apiVersions struct{}

func (apiVersions) Has(v string) bool {
	return !strings.Contains(v, ".") || strings.HasSuffix(strings.Split(v, "/")[0], ".k8s.io")
}

// .Files: the chart's own files (Get returns "" for a missing file, as Helm does).
type chartFiles struct{ dir string }

func (f chartFiles) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(f.dir, filepath.Clean("/"+name)))
	if err != nil {
		return ""
	}
	return string(b)
}
