package fdlimit

import (
	"net"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		limit, streams, conns int
	}{
		{256, 128, 192},
		{1024, 704, 960},
		{20000, 10000, 19936},
		{100, 1, 36},
	}
	for _, tt := range tests {
		b := Split(tt.limit)
		if b.Streams != tt.streams || b.Conns != tt.conns {
			t.Errorf("Split(%d) = %+v, want %d streams, %d connections", tt.limit, b, tt.streams, tt.conns)
		}
		if b.Streams >= b.Conns {
			t.Errorf("Split(%d): streams %d leave no connection for requests (%d)", tt.limit, b.Streams, b.Conns)
		}
	}
}

func TestRaiseReachesTheHardLimit(t *testing.T) {
	n, err := Raise()
	if err != nil || n < 1 {
		t.Fatalf("Raise = %d, %v", n, err)
	}
}

func TestListenerWaitsForAFreeSlot(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, second := <-accepted, <-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted while two were open")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	first.Close() // twice frees one slot only
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("closing a connection did not let the next one in")
	}
	second.Close()
	ln.Close()
	for range accepted {
	}
}
