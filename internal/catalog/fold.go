package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps lower-case Latin-1 and Latin Extended-A letters to their
// plain ASCII spelling, so "Développement" and "developpement" index alike.
// It is a read-only lookup table.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'æ': "ae",
	'ç': "c", 'ć': "c", 'ĉ': "c", 'ċ': "c", 'č': "c",
	'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ĕ': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ĝ': "g", 'ğ': "g", 'ġ': "g", 'ģ': "g",
	'ĥ': "h", 'ħ': "h",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ĩ': "i", 'ī': "i", 'ĭ': "i", 'į': "i", 'ı': "i",
	'ĳ': "ij",
	'ĵ': "j",
	'ķ': "k", 'ĸ': "k",
	'ĺ': "l", 'ļ': "l", 'ľ': "l", 'ŀ': "l", 'ł': "l",
	'ñ': "n", 'ń': "n", 'ņ': "n", 'ň': "n", 'ŉ': "n", 'ŋ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ŏ': "o", 'ő': "o",
	'œ': "oe",
	'ŕ': "r", 'ŗ': "r", 'ř': "r",
	'ś': "s", 'ŝ': "s", 'ş': "s", 'š': "s", 'ſ': "s",
	'ß': "ss",
	'ţ': "t", 'ť': "t", 'ŧ': "t",
	'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ũ': "u", 'ū': "u", 'ŭ': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ŵ': "w",
	'ý': "y", 'ÿ': "y", 'ŷ': "y",
	'ź': "z", 'ż': "z", 'ž': "z",
}

// foldRanges spell the letters of Latin Extended-B (U+0180–U+024F: ș, ț,
// ơ, ư, ǎ, ...) and Latin Extended Additional (U+1E00–U+1EFF: Vietnamese
// ễ, ạ, ...) in plain ASCII: one byte per code point, the base letter of
// its decomposition, '_' where there is none (kept as it is).
var foldRanges = []struct {
	lo    rune
	plain string
}{
	{0x0180, "________________________________oo_____________uu____________________________aaiioouuuuuuuuuu_aaaa____ggkkoooo__j___gg__nnaa____aaaaeeeeiiiioooorrrruuuusstt__hh______aaeeooooooooyy____________________________"},
	{0x1E00, "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwy______aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy______"},
}

// foldRune is the plain spelling of a lower-case letter, if it has one.
func foldRune(r rune) (string, bool) {
	if plain, ok := foldTable[r]; ok {
		return plain, true
	}
	for _, fr := range foldRanges {
		if i := int(r - fr.lo); i >= 0 && i < len(fr.plain) && fr.plain[i] != '_' {
			return fr.plain[i : i+1], true
		}
	}
	return "", false
}

// tokens splits s into lower-case, accent-free words: runs of letters and
// digits. Apostrophes inside a word are dropped rather than splitting it, so
// "Builders'" and "builder's" become "builders".
func tokens(s string) []string {
	var out []string
	eachToken(s, func(word []byte) { out = append(out, string(word)) })
	return out
}

// eachToken calls f with each word of s as tokens defines them. The slice is
// reused: it is only valid during the call (indexing looks terms up without
// allocating a string for each).
func eachToken(s string, f func(word []byte)) {
	word := make([]byte, 0, 32)
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
			word = append(word, byte(r))
		case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
			word = append(word, byte(r+'a'-'A'))
		case r == '\'' || r == '’':
			// Drop it: the word goes on.
		case unicode.Is(unicode.Mn, r):
			// A combining accent of decomposed text (e + U+0301): drop it.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if plain, ok := foldRune(r); ok {
				word = append(word, plain...)
			} else {
				word = utf8.AppendRune(word, r)
			}
		case len(word) > 0:
			f(word)
			word = word[:0]
		}
	}
	if len(word) > 0 {
		f(word)
	}
}

// fold returns s lower-cased and accent-free, for comparing filter values.
func fold(s string) string { return strings.Join(tokens(s), " ") }
