package formats

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// frab and c3voc files identify events by a UUID. Sessions whose id is not
// a UUID get a version-8 UUID that carries the id itself when it fits (up
// to 15 printable ASCII characters: re:Invent codes, frab numbers, content
// hashes), so an exported file imports back to the same session ids. Longer
// ids get a hashed UUID that is stable for the conference and id.

const (
	guidLenBits   = 4
	guidCharBits  = 7
	guidMaxChars  = 15
	guidCheckBits = 122 - guidLenBits - guidCharBits*guidMaxChars // 13
)

// payloadBit maps payload bit i (0..121) to its bit in the 128-bit UUID,
// skipping the version nibble (bits 48–51) and the variant (bits 64–65).
func payloadBit(i int) int {
	if i >= 48 {
		i += 4
	}
	if i >= 64 {
		i += 2
	}
	return i
}

func setBit(u *[16]byte, bit int, v bool) {
	if v {
		u[bit/8] |= 0x80 >> (bit % 8)
	} else {
		u[bit/8] &^= 0x80 >> (bit % 8)
	}
}

func getBit(u *[16]byte, bit int) bool { return u[bit/8]&(0x80>>(bit%8)) != 0 }

func idChecksum(id string) uint32 {
	sum := sha256.Sum256([]byte("venuehop-guid\x00" + id))
	return (uint32(sum[0])<<8 | uint32(sum[1])) >> (16 - guidCheckBits)
}

func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func encodeIDUUID(id string) (string, bool) {
	if len(id) == 0 || len(id) > guidMaxChars {
		return "", false
	}
	var u [16]byte
	put := func(from, n int, v uint32) {
		for k := 0; k < n; k++ {
			setBit(&u, payloadBit(from+k), v&(1<<(n-1-k)) != 0)
		}
	}
	put(0, guidLenBits, uint32(len(id)))
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < 0x21 || c > 0x7e {
			return "", false
		}
		put(guidLenBits+i*guidCharBits, guidCharBits, uint32(c))
	}
	put(122-guidCheckBits, guidCheckBits, idChecksum(id))
	u[6] = u[6]&0x0f | 0x80
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u), true
}

// decodeIDUUID returns the session id a UUID from encodeIDUUID carries.
func decodeIDUUID(s string) (string, bool) {
	if !uuidRE.MatchString(s) {
		return "", false
	}
	raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || raw[6]>>4 != 8 || raw[8]>>6 != 2 {
		return "", false
	}
	var u [16]byte
	copy(u[:], raw)
	get := func(from, n int) uint32 {
		var v uint32
		for k := 0; k < n; k++ {
			v <<= 1
			if getBit(&u, payloadBit(from+k)) {
				v |= 1
			}
		}
		return v
	}
	n := int(get(0, guidLenBits))
	if n == 0 {
		return "", false
	}
	b := make([]byte, n)
	for i := range b {
		c := get(guidLenBits+i*guidCharBits, guidCharBits)
		if c < 0x21 || c > 0x7e {
			return "", false
		}
		b[i] = byte(c)
	}
	// The unused character bits are zero in our UUIDs.
	for k := guidLenBits + n*guidCharBits; k < 122-guidCheckBits; k++ {
		if getBit(&u, payloadBit(k)) {
			return "", false
		}
	}
	id := string(b)
	if get(122-guidCheckBits, guidCheckBits) != idChecksum(id) {
		return "", false
	}
	return id, true
}

// stableUUID returns the guid to write for a session (or room) id.
func stableUUID(confID, id string) string {
	if uuidRE.MatchString(id) {
		return strings.ToLower(id)
	}
	if u, ok := encodeIDUUID(id); ok {
		return u
	}
	for n := 0; ; n++ {
		sum := sha256.Sum256([]byte("venuehop\x00" + confID + "\x00" + id + "\x00" + strconv.Itoa(n)))
		var u [16]byte
		copy(u[:], sum[:16])
		u[6] = u[6]&0x0f | 0x80
		u[8] = u[8]&0x3f | 0x80
		s := formatUUID(u)
		if _, decodes := decodeIDUUID(s); !decodes {
			return s
		}
	}
}

// idFromGUID is the session id for an event's guid: the id a venuehop
// export carried in it, else the guid itself.
func idFromGUID(guid string) string {
	if id, ok := decodeIDUUID(guid); ok {
		return id
	}
	return guid
}
