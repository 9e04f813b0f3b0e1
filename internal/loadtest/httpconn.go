package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"
)

// httpConn is one rush worker's keep-alive HTTP/1.1 connection: a request
// is written whole, its response read whole (status line, every header,
// the body by Content-Length, chunked or to EOF), one at a time, as
// net/http's client does over one connection. It exists because the client
// shares the machine's two cores with the server it measures: net/http's
// Transport spends about as much CPU per request as the server (a read
// and a write goroutine per connection, channels between them, a header
// map per response), and every cycle the client burns is taken from the
// server. What goes over the wire is the same HTTP.
type httpConn struct {
	ctx     context.Context // the run: cancelling it ends a waiting post
	addr    string          // host:port to dial
	head    []byte          // "POST path HTTP/1.1\r\nHost: ...\r\n..." up to Authorization
	timeout time.Duration
	c       net.Conn
	br      *bufio.Reader
	stop    func() bool // releases the context watch of c
	req     []byte      // reused request buffer
}

// errConnClosed reports a connection the server closed after an answer
// that said so, or before a full answer.
var errConnClosed = errors.New("the server closed the connection")

// newHTTPConn prepares (without dialing) a connection for POSTs to target,
// a URL of the form http://host:port/path, for as long as ctx lasts.
func newHTTPConn(ctx context.Context, target string, timeout time.Duration) (*httpConn, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("the rush speaks plain http, not %q", u.Scheme)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	path := u.RequestURI()
	head := []byte("POST " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: venuehop-loadtest\r\nContent-Type: application/json\r\n")
	return &httpConn{ctx: ctx, addr: addr, head: head, timeout: timeout}, nil
}

func (h *httpConn) close() {
	if h.c != nil {
		h.stop()
		h.c.Close()
		h.c, h.br = nil, nil
	}
}

// post sends body with the Authorization header auth and returns the
// status, the Retry-After wait (1 s when absent) and the body, read into
// buf. After an error the connection is closed; the next post dials again.
func (h *httpConn) post(auth string, body, buf []byte) (int, time.Duration, []byte, error) {
	ctx := h.ctx
	if err := ctx.Err(); err != nil {
		return 0, 0, buf, err
	}
	if h.c == nil {
		d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		c, err := d.DialContext(ctx, "tcp", h.addr)
		if err != nil {
			return 0, 0, buf, err
		}
		h.c, h.br = c, bufio.NewReaderSize(c, 4096)
		// A cancelled run must not wait out a blocked read.
		h.stop = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	}
	code, retry, out, keep, err := h.roundTrip(auth, body, buf)
	if err != nil || !keep {
		h.close()
	}
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return code, retry, out, err
}

func (h *httpConn) roundTrip(auth string, body, buf []byte) (code int, retry time.Duration, out []byte, keep bool, err error) {
	out = buf
	if err := h.c.SetDeadline(time.Now().Add(h.timeout)); err != nil {
		return 0, 0, out, false, err
	}
	// A cancel that came before the deadline above was set is seen here;
	// one that comes after sets a past deadline (post's AfterFunc).
	if err := h.ctx.Err(); err != nil {
		return 0, 0, out, false, err
	}
	r := append(h.req[:0], h.head...)
	r = append(r, "Authorization: "...)
	r = append(r, auth...)
	r = append(r, "\r\nContent-Length: "...)
	r = strconv.AppendInt(r, int64(len(body)), 10)
	r = append(r, "\r\n\r\n"...)
	r = append(r, body...)
	h.req = r
	if _, err := h.c.Write(r); err != nil {
		return 0, 0, out, false, err
	}

	// Status line: HTTP/1.x NNN reason
	line, err := h.line()
	if err != nil {
		return 0, 0, out, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, 0, out, false, fmt.Errorf("malformed status line %q", line)
	}
	code, err = strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 {
		return 0, 0, out, false, fmt.Errorf("malformed status line %q", line)
	}
	keep = line[7] == '1' // HTTP/1.0 closes unless asked otherwise
	retry = time.Second
	length, chunked := int64(-1), false
	for {
		line, err := h.line()
		if err != nil {
			return code, 0, out, false, err
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return code, 0, out, false, fmt.Errorf("malformed header line %q", line)
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case asciiEqualFold(name, "Content-Length"):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return code, 0, out, false, fmt.Errorf("bad Content-Length %q", value)
			}
			length = n
		case asciiEqualFold(name, "Transfer-Encoding"):
			if !asciiEqualFold(value, "chunked") {
				return code, 0, out, false, fmt.Errorf("unsupported Transfer-Encoding %q", value)
			}
			chunked = true
		case asciiEqualFold(name, "Connection"):
			if asciiEqualFold(value, "close") {
				keep = false
			}
		case asciiEqualFold(name, "Retry-After"):
			if s, err := strconv.Atoi(string(value)); err == nil && s >= 0 {
				retry = time.Duration(s) * time.Second
			}
		}
	}
	if code < 200 {
		return code, retry, out, false, fmt.Errorf("unexpected informational answer %d", code)
	}
	b := bytes.NewBuffer(out)
	switch {
	case code == 204 || code == 304:
	case chunked:
		_, err = b.ReadFrom(httputil.NewChunkedReader(h.br))
		if err == nil {
			err = h.trailer()
		}
	case length >= 0:
		_, err = b.ReadFrom(io.LimitReader(h.br, length))
		if err == nil && int64(b.Len()-len(out)) < length {
			err = io.ErrUnexpectedEOF
		}
	default:
		_, err = b.ReadFrom(h.br) // the body ends with the connection
		keep = false
	}
	if err != nil {
		return code, retry, b.Bytes(), false, err
	}
	return code, retry, b.Bytes(), keep, nil
}

// line reads one header line without its CRLF.
func (h *httpConn) line() ([]byte, error) {
	line, err := h.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errors.New("header line too long")
	}
	if err == io.EOF && len(line) == 0 {
		return nil, errConnClosed
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// trailer skips the trailer section after the last chunk.
func (h *httpConn) trailer() error {
	for {
		line, err := h.line()
		if err != nil || len(line) == 0 {
			return err
		}
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}
