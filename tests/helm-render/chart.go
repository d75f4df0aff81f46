package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

// defaultKubeVersion stands in for the cluster `helm template` does not talk to: a current minor,
// so Chart.yaml's kubeVersion range is checked against something realistic.
const defaultKubeVersion = "v1.32.0"

// Metadata is Chart.yaml as Helm exposes it to templates: a struct, so .Chart.Name works and a
// misspelt field such as .Chart.name is an error, as in Helm.
type Metadata struct {
	Name         string            `json:"name,omitempty"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version,omitempty"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Maintainers  []*Maintainer     `json:"maintainers,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion,omitempty"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Dependencies []interface{}     `json:"dependencies,omitempty"`
	Type         string            `json:"type,omitempty"`
}

// Maintainer is one entry of Chart.yaml's maintainers.
type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k *KubeVersion) String() string { return k.Version }

// GitVersion is kept for templates written against Helm 2's field of that name.
func (k *KubeVersion) GitVersion() string { return k.Version }

// Capabilities is the part of .Capabilities that needs no cluster.
type Capabilities struct {
	KubeVersion KubeVersion
}

type templateFile struct {
	name string // "<chart>/templates/<path>", the name Helm gives the template
	data string
}

type chart struct {
	Metadata  *Metadata
	Values    map[string]interface{}
	Templates []templateFile
}

func loadChart(dir string) (*chart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("cannot load Chart.yaml: %w", err)
	}
	meta := &Metadata{}
	if err := yaml.Unmarshal(raw, meta); err != nil {
		return nil, fmt.Errorf("cannot load Chart.yaml: %w", err)
	}
	if err := validateMetadata(meta); err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	// Subcharts would need their own values scoping, globals and conditions: refuse rather than
	// render them wrongly.
	if len(meta.Dependencies) > 0 {
		return nil, fmt.Errorf("chart %s has dependencies, which helm-render does not support", meta.Name)
	}
	if info, err := os.Stat(filepath.Join(dir, "charts")); err == nil && info.IsDir() {
		return nil, fmt.Errorf("chart %s has a charts/ folder, which helm-render does not support", meta.Name)
	}

	values := map[string]interface{}{}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if err := yaml.Unmarshal(raw, &values); err != nil {
			return nil, fmt.Errorf("cannot load values.yaml: %w", err)
		}
		if values == nil {
			values = map[string]interface{}{}
		}
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("cannot load values.yaml: %w", err)
	}

	var templates []templateFile
	root := filepath.Join(dir, "templates")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		templates = append(templates, templateFile{
			name: path.Join(meta.Name, "templates", filepath.ToSlash(rel)),
			data: string(data),
		})
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("cannot load templates: %w", err)
	}
	sort.Slice(templates, func(i, j int) bool { return templates[i].name < templates[j].name })
	return &chart{Metadata: meta, Values: values, Templates: templates}, nil
}

// validateMetadata applies the checks Helm makes before it renders a chart.
func validateMetadata(m *Metadata) error {
	switch {
	case m.APIVersion == "":
		return fmt.Errorf("chart.metadata.apiVersion is required")
	case m.APIVersion != "v1" && m.APIVersion != "v2":
		return fmt.Errorf("chart.metadata.apiVersion %q is not v1 or v2", m.APIVersion)
	case m.Name == "":
		return fmt.Errorf("chart.metadata.name is required")
	case strings.ContainsAny(m.Name, `/\`):
		return fmt.Errorf("chart.metadata.name %q is invalid", m.Name)
	case m.Version == "":
		return fmt.Errorf("chart.metadata.version is required")
	}
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(m.Version, "v")); err != nil {
		if _, err := semver.NewVersion(m.Version); err != nil {
			return fmt.Errorf("chart.metadata.version %q is invalid", m.Version)
		}
	}
	switch m.Type {
	case "", "application":
		return nil
	case "library":
		return fmt.Errorf("library charts are not installable")
	default:
		return fmt.Errorf("chart.metadata.type must be application or library")
	}
}

func newCapabilities(kubeVersion string) (*Capabilities, error) {
	v, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("invalid --kube-version %q: %w", kubeVersion, err)
	}
	return &Capabilities{KubeVersion: KubeVersion{
		Version: "v" + v.String(),
		Major:   strconv.FormatUint(v.Major(), 10),
		Minor:   strconv.FormatUint(v.Minor(), 10),
	}}, nil
}

// checkKubeVersion refuses, as Helm does, a chart whose kubeVersion range excludes the cluster.
func checkKubeVersion(m *Metadata, caps *Capabilities) error {
	if m.KubeVersion == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(m.KubeVersion)
	if err != nil {
		return fmt.Errorf("chart.metadata.kubeVersion %q is invalid: %w", m.KubeVersion, err)
	}
	v, err := semver.NewVersion(caps.KubeVersion.Version)
	if err != nil {
		return err
	}
	if !constraint.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", m.KubeVersion, caps.KubeVersion.Version)
	}
	return nil
}

// readValuesFile reads one -f file with the YAML library Helm uses (sigs.k8s.io/yaml, which goes
// through JSON: numbers become float64, as in Helm, hence the chart's `int` before comparisons).
func readValuesFile(file string, stdin io.Reader) (map[string]interface{}, error) {
	var raw []byte
	var err error
	if file == "-" {
		raw, err = io.ReadAll(stdin)
	} else {
		raw, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", file, err)
	}
	if values == nil {
		values = map[string]interface{}{}
	}
	return values, nil
}

// mergeMaps lays b over a as Helm does with several -f files: maps merge key by key, any other
// value of b (lists and nulls included) replaces a's.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesceValues fills the user's values with the chart's defaults as Helm does: the user's value
// wins, maps on both sides merge recursively, and a user null deletes the default, which is how a
// user removes a default key. Where a map meets a scalar the user's value is kept too, with the
// warning Helm prints.
func coalesceValues(user, defaults map[string]interface{}, prefix string, warn func(string, ...interface{})) map[string]interface{} {
	for key, def := range defaults {
		full := key
		if prefix != "" {
			full = prefix + "." + key
		}
		val, present := user[key]
		if !present {
			user[key] = def
			continue
		}
		if val == nil {
			delete(user, key)
			continue
		}
		userMap, userIsMap := val.(map[string]interface{})
		defMap, defIsMap := def.(map[string]interface{})
		switch {
		case userIsMap && defIsMap:
			coalesceValues(userMap, defMap, full, warn)
		case defIsMap:
			warn("cannot overwrite table with non table for %s (%v)", full, def)
		case userIsMap && def != nil:
			warn("destination for %s is a table. Ignoring non-table value (%v)", full, def)
		}
	}
	return user
}
