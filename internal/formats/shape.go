package formats

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// describeShape says what a file of an unknown format looks like, so that
// the refusal names what was recognised: "an XML file whose root is
// <feed>", "a JSON object with the keys events, meta", "a text file whose
// first line is ...".
func describeShape(data []byte) string {
	if t, _, probs := decodeText(data[:min(len(data), 64<<10)], "", true); len(probs) == 0 {
		data = t
	}
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	switch {
	case len(trimmed) == 0:
		return "the file is empty"
	case trimmed[0] == '<':
		root, children := xmlShape(trimmed)
		if root == "" {
			return "an XML file whose root element cannot be read"
		}
		if len(children) == 0 {
			return fmt.Sprintf("an XML file whose root is <%s>", root)
		}
		return fmt.Sprintf("an XML file whose root is <%s> with %s elements", root, elementList(children))
	case trimmed[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			return "a file starting with { that is not valid JSON"
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 8 {
			keys = append(keys[:8], "...")
		}
		return "a JSON object with the keys " + strings.Join(keys, ", ")
	case trimmed[0] == '[':
		return "a JSON array (a schedule file is one object)"
	}
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	line = bytes.TrimSpace(line)
	if !utf8.Valid(line) {
		return "a binary or non-UTF-8 file"
	}
	text := string(line)
	if utf8.RuneCountInString(text) > 80 {
		text = string([]rune(text)[:80]) + "…"
	}
	return fmt.Sprintf("a text file whose first line is %q (no title column)", text)
}

// xmlShape reads an XML file's root element and the distinct names of its
// children and grandchildren, in the order met (at most 6).
func xmlShape(data []byte) (root string, below []string) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth := 0
	seen := map[string]bool{}
	for n := 0; n < 20000; n++ {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				root = t.Name.Local
			case depth <= 3 && !seen[t.Name.Local] && len(below) < 6:
				seen[t.Name.Local] = true
				below = append(below, t.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	return root, below
}

func elementList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "<" + n + ">"
	}
	return strings.Join(out, ", ")
}
