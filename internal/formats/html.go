package formats

import (
	"html"
	"regexp"
	"strings"
	"unicode"
)

// htmlTagRE matches the tags schedule exports put in abstracts (FOSDEM's
// are HTML: <p>, <em>, <a href>, <ul><li>, <br>).
var htmlTagRE = regexp.MustCompile(`(?i)</?(p|br|em|strong|b|i|u|a|ul|ol|li|code|pre|h[1-6]|blockquote|span|div|hr|img|sup|sub|tt|dl|dt|dd)(\s[^>]*)?/?>`)

// htmlBlockRE decides whether a text is HTML at all: inline tags alone
// (a literal "<code>" in a plain-text abstract) do not make it so.
var htmlBlockRE = regexp.MustCompile(`(?i)<(p|br|ul|ol|li|div|em|strong|blockquote|h[1-6])(\s[^>]*)?/?>|</(p|li|a|em|strong)>|<a\s+href=`)

// htmlToText turns an HTML abstract into plain text: block tags become
// line breaks, other tags vanish, entities are decoded. Text that has no
// such tag is returned as is, so "a < b" survives and the function is
// idempotent on its own output.
func htmlToText(s string) string {
	if !htmlBlockRE.MatchString(s) {
		return strings.TrimSpace(s)
	}
	out := htmlTagRE.ReplaceAllStringFunc(s, func(tag string) string {
		t := strings.ToLower(strings.TrimLeft(tag, "</"))
		switch {
		case strings.HasPrefix(t, "br"), strings.HasPrefix(t, "hr"):
			return "\n"
		case strings.HasPrefix(t, "li"):
			if strings.HasPrefix(tag, "</") {
				return ""
			}
			return "\n- "
		case strings.HasPrefix(t, "p"), strings.HasPrefix(t, "ul"), strings.HasPrefix(t, "ol"),
			strings.HasPrefix(t, "h"), strings.HasPrefix(t, "div"), strings.HasPrefix(t, "blockquote"),
			strings.HasPrefix(t, "dl"), strings.HasPrefix(t, "dt"), strings.HasPrefix(t, "dd"):
			return "\n\n"
		}
		return ""
	})
	out = html.UnescapeString(out)
	// Collapse the blank lines the block tags leave.
	lines := strings.Split(out, "\n")
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if strings.TrimSpace(l) == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return strings.TrimSpace(b.String())
}

// joinText combines an abstract and a longer description.
func joinText(abstract, description string) string {
	a, d := htmlToText(normalizeNewlines(abstract)), htmlToText(normalizeNewlines(description))
	switch {
	case d == "" || d == a:
		return strings.TrimSpace(a)
	case a == "":
		return strings.TrimSpace(d)
	}
	return strings.TrimSpace(a + "\n\n" + d)
}

// normalizeNewlines turns CRLF and lone CR into LF, as CSV readers do.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
