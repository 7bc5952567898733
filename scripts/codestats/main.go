// Command codestats measures the shape of Go packages: lines per package,
// references between files and between packages, and the longest functions.
// It reads source with go/parser and go/types (from the standard library,
// so it needs no module of its own) and is run by hand:
//
//	go run ./scripts/codestats internal/link internal/migration internal/provdata
//
// A file "uses" another when it names a package-level declaration (or a
// method or field) declared there. A constructor file is one declaring an
// exported New* function (a resource, data source or action); a use from any
// other file of the same package into a constructor file points "up", from a
// helper to a resource.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	top := flag.Int("top", 15, "how many of the longest functions to list")
	edges := flag.Bool("edges", false, "list every reference between files")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/codestats [-top N] DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Args(), *top, *edges); err != nil {
		fmt.Fprintln(os.Stderr, "codestats:", err)
		os.Exit(1)
	}
}

// pkgStats is one package's measure.
type pkgStats struct {
	dir                  string
	path                 string
	files, lines         int
	testFiles, testLines int
	imports              []string
	// fileEdges is the set of (user file, declaring file) pairs; a key is
	// "user\x00decl" with paths relative to the working directory.
	fileEdges map[[2]string]bool
	ctorFiles map[string]bool
	// crossEdges: user file of this package -> declaring file of another
	// package, by the other package's import path.
	crossEdges map[string]map[[2]string]bool
}

func run(dirs []string, top int, listEdges bool) error {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	var all []*pkgStats
	var funcs []Func
	byPath := map[string]*pkgStats{}
	for _, dir := range dirs {
		st, fs, err := measure(fset, imp, dir)
		if err != nil {
			return err
		}
		all = append(all, st)
		byPath[st.path] = st
		funcs = append(funcs, fs...)
	}
	fmt.Println("lines per package (code / tests):")
	for _, st := range all {
		fmt.Printf("  %-28s %5d lines in %2d files / %5d lines in %2d test files\n",
			st.dir, st.lines, st.files, st.testLines, st.testFiles)
	}
	fmt.Println("references between files of one package (user file -> declaring file):")
	for _, st := range all {
		up := 0
		for e := range st.fileEdges {
			if filepath.Dir(e[0]) == filepath.Dir(e[1]) && !st.ctorFiles[e[0]] && st.ctorFiles[e[1]] {
				up++
			}
		}
		within := 0
		for e := range st.fileEdges {
			if filepath.Dir(e[0]) == filepath.Dir(e[1]) {
				within++
			}
		}
		fmt.Printf("  %-28s %3d file pairs, %2d from a helper up to a resource file\n", st.dir, within, up)
		if listEdges {
			var lines []string
			for e := range st.fileEdges {
				lines = append(lines, filepath.Base(e[0])+" -> "+filepath.Base(e[1]))
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Println("    " + l)
			}
		}
	}
	fmt.Println("imports between the measured packages:")
	n := 0
	for _, st := range all {
		for _, p := range st.imports {
			if other, ok := byPath[p]; ok {
				fmt.Printf("  %s -> %s (%d file pairs)\n", st.dir, other.dir, len(st.crossEdges[p]))
				n++
			}
		}
	}
	if n == 0 {
		fmt.Println("  none")
	}
	sort.SliceStable(funcs, func(i, j int) bool { return funcs[i].Lines > funcs[j].Lines })
	fmt.Printf("longest functions (of %d):\n", len(funcs))
	for i, f := range funcs {
		if i == top {
			break
		}
		fmt.Printf("  %4d  %-40s %s:%d\n", f.Lines, f.Name, f.File, f.Line)
	}
	return nil
}

// Func is one function or method and its length in lines, from its func
// keyword to its closing brace.
type Func struct {
	Name  string
	File  string
	Line  int
	Lines int
}

// Funcs lists the functions of the non-test files of dir.
func Funcs(dir string) ([]Func, error) {
	fset := token.NewFileSet()
	files, _, err := parseDir(fset, dir)
	if err != nil {
		return nil, err
	}
	return funcsOf(fset, files), nil
}

func funcsOf(fset *token.FileSet, files []*ast.File) []Func {
	var out []Func
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				name = recvName(fd.Recv.List[0].Type) + "." + name
			}
			start, end := fset.Position(fd.Pos()), fset.Position(fd.End())
			out = append(out, Func{Name: name, File: start.Filename, Line: start.Line, Lines: end.Line - start.Line + 1})
		}
	}
	return out
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

// parseDir parses the .go files of dir, code and tests apart (the external
// test package is left out of the code).
func parseDir(fset *token.FileSet, dir string) (code, tests []*ast.File, err error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasSuffix(name, "_test.go") {
			tests = append(tests, f)
		} else {
			code = append(code, f)
		}
	}
	return code, tests, nil
}

func measure(fset *token.FileSet, imp types.Importer, dir string) (*pkgStats, []Func, error) {
	dir = filepath.Clean(dir)
	code, tests, err := parseDir(fset, dir)
	if err != nil {
		return nil, nil, err
	}
	if len(code) == 0 {
		return nil, nil, fmt.Errorf("%s: no Go files", dir)
	}
	st := &pkgStats{dir: dir, fileEdges: map[[2]string]bool{}, ctorFiles: map[string]bool{}, crossEdges: map[string]map[[2]string]bool{}}
	for _, f := range code {
		st.files++
		st.lines += fset.Position(f.FileEnd).Line - 1
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "New") {
				st.ctorFiles[fset.Position(f.Pos()).Filename] = true
			}
		}
	}
	for _, f := range tests {
		st.testFiles++
		st.testLines += fset.Position(f.FileEnd).Line - 1
	}
	imports := map[string]bool{}
	for _, f := range code {
		for _, is := range f.Imports {
			imports[strings.Trim(is.Path.Value, `"`)] = true
		}
	}
	for p := range imports {
		st.imports = append(st.imports, p)
	}
	sort.Strings(st.imports)

	info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: imp}
	pkg, err := conf.Check(dir, fset, code, info)
	if err != nil {
		return nil, nil, fmt.Errorf("type-check %s: %w", dir, err)
	}
	st.path = modulePath(dir)
	_ = pkg
	record := func(at token.Pos, obj types.Object) {
		if obj == nil || obj.Pkg() == nil || !obj.Pos().IsValid() {
			return
		}
		if obj.Pkg() != pkg {
			other := obj.Pkg().Path()
			if st.crossEdges[other] == nil {
				st.crossEdges[other] = map[[2]string]bool{}
			}
			st.crossEdges[other][[2]string{fset.Position(at).Filename, fset.Position(obj.Pos()).Filename}] = true
			return
		}
		// Only package-level names, methods and fields: a local variable
		// lives in the file that uses it.
		if v, ok := obj.(*types.Var); ok && !v.IsField() && obj.Parent() != pkg.Scope() {
			return
		}
		if _, ok := obj.(*types.Func); !ok {
			if _, isVar := obj.(*types.Var); !isVar && obj.Parent() != pkg.Scope() {
				return
			}
		}
		user, decl := fset.Position(at).Filename, fset.Position(obj.Pos()).Filename
		if user != decl {
			st.fileEdges[[2]string{user, decl}] = true
		}
	}
	for id, obj := range info.Uses {
		record(id.Pos(), obj)
	}
	for sel, s := range info.Selections {
		record(sel.Sel.Pos(), s.Obj())
	}
	return st, funcsOf(fset, code), nil
}

// modulePath returns the import path of dir, from the go.mod above it.
func modulePath(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; d != filepath.Dir(d); d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if mod, ok := strings.CutPrefix(line, "module "); ok {
				rel, err := filepath.Rel(d, abs)
				if err != nil {
					return dir
				}
				return strings.TrimSpace(mod) + "/" + filepath.ToSlash(rel)
			}
		}
	}
	return dir
}
