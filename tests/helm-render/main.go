// Command helm-render renders a Helm chart like `helm template`, with the engine Helm itself uses:
// Go's text/template, the sprig function library and Helm's own functions on top (engine.go).
// The chart tests run it because no Helm binary can be installed where they run; Debian ships
// everything it needs (golang-go, golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev).
//
// Build without modules, against Debian's Go sources:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-render ./tests/helm-render
//
// Usage (flags before the arguments, as Go's flag package wants them):
//
//	helm-render [flags] RELEASE_NAME CHART_DIR
//	  -f, --values FILE    values file, YAML or JSON ("-" reads standard input); repeatable, later wins
//	  -n, --namespace NS   release namespace (default "default", as without a kube context)
//	  --is-upgrade         render an upgrade (.Release.IsUpgrade) instead of an install
//	  --kube-version V     Kubernetes version for .Capabilities and Chart.yaml's kubeVersion check
//	  --notes              also print the rendered NOTES.txt, as the last document
//
// Output: every non-empty YAML document, each preceded by "---" and "# Source: <chart>/templates/<file>",
// in file name order (Helm orders by kind instead; nothing here depends on order). Errors are
// printed to standard error as "Error: ..." with Helm's wording, and the exit code is 1; warnings
// (Helm's coalesce warnings) go to standard error as "warning: ..." lines without failing.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("helm-render", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var valueFiles stringList
	flags.Var(&valueFiles, "f", "values file (YAML or JSON, \"-\" for standard input); repeatable")
	flags.Var(&valueFiles, "values", "same as -f")
	namespace := flags.String("namespace", "default", "release namespace")
	flags.StringVar(namespace, "n", "default", "same as --namespace")
	isUpgrade := flags.Bool("is-upgrade", false, "render an upgrade instead of an install")
	kubeVersion := flags.String("kube-version", defaultKubeVersion, "Kubernetes version")
	notes := flags.Bool("notes", false, "also print NOTES.txt")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 2 {
		return fmt.Errorf("usage: helm-render [flags] RELEASE_NAME CHART_DIR (got %d arguments)", flags.NArg())
	}
	releaseName, chartDir := flags.Arg(0), flags.Arg(1)

	ch, err := loadChart(chartDir)
	if err != nil {
		return err
	}
	caps, err := newCapabilities(*kubeVersion)
	if err != nil {
		return err
	}
	if err := checkKubeVersion(ch.Metadata, caps); err != nil {
		return err
	}

	user := map[string]interface{}{}
	for _, file := range valueFiles {
		values, err := readValuesFile(file, stdin)
		if err != nil {
			return err
		}
		user = mergeMaps(user, values)
	}
	warn := func(format string, a ...interface{}) {
		fmt.Fprintf(stderr, "warning: "+format+"\n", a...)
	}
	values := coalesceValues(user, ch.Values, "", warn)

	top := map[string]interface{}{
		"Chart":        ch.Metadata,
		"Capabilities": caps,
		"Release": map[string]interface{}{
			"Name":      releaseName,
			"Namespace": *namespace,
			"Revision":  1,
			"IsUpgrade": *isUpgrade,
			"IsInstall": !*isUpgrade,
			"Service":   "Helm",
		},
		"Values":    values,
		"Subcharts": map[string]interface{}{},
	}

	rendered, err := render(ch, top)
	if err != nil {
		return err
	}
	return write(stdout, ch, rendered, *notes)
}
