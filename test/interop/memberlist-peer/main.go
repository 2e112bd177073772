// memberlist-peer: a Go HashiCorp memberlist node for interop tests. It speaks the same JSON-lines
// protocol as `bifrost gossip-agent`: one JSON object per event on stdout (started, join, update,
// leave, user_msg, user_state, members, left) and commands on stdin (broadcast TEXT, send NAME
// TEXT, send-reliable NAME TEXT, members, leave). It always stops by itself after -run-for.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

var out = struct {
	sync.Mutex
	enc *json.Encoder
}{enc: json.NewEncoder(os.Stdout)}

func emit(v map[string]any) {
	out.Lock()
	defer out.Unlock()
	_ = out.enc.Encode(v)
}

type broadcast []byte

func (b broadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b broadcast) Message() []byte                       { return b }
func (b broadcast) Finished()                             {}

type delegate struct {
	meta  []byte
	state []byte
	queue *memberlist.TransmitLimitedQueue
}

func (d *delegate) NodeMeta(limit int) []byte { return d.meta }
func (d *delegate) NotifyMsg(b []byte) {
	emit(map[string]any{"event": "user_msg", "msg": string(b)})
}
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.queue.GetBroadcasts(overhead, limit)
}
func (d *delegate) LocalState(join bool) []byte { return d.state }
func (d *delegate) MergeRemoteState(buf []byte, join bool) {
	emit(map[string]any{"event": "user_state", "state": string(buf), "join": join})
}

type events struct{ ml **memberlist.Memberlist }

// stateOf reads the node's state from memberlist's private node map: Node.State is not kept up to
// date by memberlist, and NotifyLeave must tell a graceful leave ("left") from a failure ("dead").
// NotifyLeave runs with memberlist's node lock held, so this read is safe there.
func (e events) stateOf(name string) string {
	if e.ml == nil || *e.ml == nil {
		return ""
	}
	m := reflect.ValueOf(*e.ml).Elem().FieldByName("nodeMap")
	v := m.MapIndex(reflect.ValueOf(name))
	if !v.IsValid() {
		return ""
	}
	names := []string{"alive", "suspect", "dead", "left"}
	st := v.Elem().FieldByName("State").Int()
	if st < 0 || int(st) >= len(names) {
		return ""
	}
	return names[st]
}

func nodeJSON(n *memberlist.Node) map[string]any {
	return map[string]any{"name": n.Name, "addr": fmt.Sprintf("%s:%d", n.Addr, n.Port), "meta": string(n.Meta)}
}
func (e events) NotifyJoin(n *memberlist.Node) {
	m := nodeJSON(n)
	m["event"] = "join"
	emit(m)
}
func (e events) NotifyLeave(n *memberlist.Node) {
	m := nodeJSON(n)
	m["event"] = "leave"
	m["state"] = e.stateOf(n.Name)
	emit(m)
}
func (e events) NotifyUpdate(n *memberlist.Node) {
	m := nodeJSON(n)
	m["event"] = "update"
	emit(m)
}

func main() {
	name := flag.String("name", "go1", "node name")
	bind := flag.String("bind", "127.0.0.1", "bind address")
	port := flag.Int("port", 7946, "bind port")
	join := flag.String("join", "", "comma-separated host:port list")
	key := flag.String("key", "", "base64 encryption key")
	label := flag.String("label", "", "cluster label")
	meta := flag.String("meta", "", "node meta")
	state := flag.String("state", "", "push/pull user state")
	runFor := flag.Duration("run-for", 30*time.Second, "exit after this long")
	fast := flag.Bool("fast", false, "fast timing (probe 200ms) for tests")
	flag.Parse()

	cfg := memberlist.DefaultLANConfig()
	cfg.Name = *name
	cfg.BindAddr = *bind
	cfg.BindPort = *port
	cfg.AdvertiseAddr = *bind
	cfg.AdvertisePort = *port
	cfg.Label = *label
	cfg.LogOutput = io.Discard
	if os.Getenv("PEER_DEBUG") != "" {
		cfg.LogOutput = os.Stderr
	}
	if *fast {
		cfg.ProbeInterval = 200 * time.Millisecond
		cfg.ProbeTimeout = 100 * time.Millisecond
		cfg.GossipInterval = 50 * time.Millisecond
		cfg.PushPullInterval = 2 * time.Second
		cfg.SuspicionMult = 2
		cfg.TCPTimeout = 2 * time.Second
		cfg.GossipToTheDeadTime = 5 * time.Second
	}
	if *key != "" {
		k, err := base64.StdEncoding.DecodeString(*key)
		if err != nil {
			log.Fatalf("bad key: %v", err)
		}
		cfg.SecretKey = k
	}
	d := &delegate{meta: []byte(*meta), state: []byte(*state)}
	cfg.Delegate = d
	var ml *memberlist.Memberlist
	cfg.Events = events{ml: &ml}
	ml, err := memberlist.Create(cfg)
	if err != nil {
		log.Fatalf("create: %v", err)
	}
	d.queue = &memberlist.TransmitLimitedQueue{NumNodes: ml.NumMembers, RetransmitMult: cfg.RetransmitMult}
	local := ml.LocalNode()
	emit(map[string]any{"event": "started", "name": *name, "addr": fmt.Sprintf("%s:%d", local.Addr, local.Port)})
	if *join != "" {
		n, err := ml.Join(strings.Split(*join, ","))
		if err != nil {
			emit(map[string]any{"event": "error", "error": err.Error()})
		} else {
			emit(map[string]any{"event": "joined", "count": n})
		}
	}
	go commands(ml, d)
	time.Sleep(*runFor)
	_ = ml.Shutdown()
}

func commands(ml *memberlist.Memberlist, d *delegate) {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "broadcast":
			d.queue.QueueBroadcast(broadcast(rest))
		case "send", "send-reliable":
			target, text, _ := strings.Cut(rest, " ")
			for _, n := range ml.Members() {
				if n.Name != target {
					continue
				}
				var err error
				if cmd == "send" {
					err = ml.SendBestEffort(n, []byte(text))
				} else {
					err = ml.SendReliable(n, []byte(text))
				}
				if err != nil {
					emit(map[string]any{"event": "error", "error": err.Error()})
				}
			}
		case "members":
			list := []map[string]any{}
			for _, n := range ml.Members() {
				list = append(list, nodeJSON(n))
			}
			emit(map[string]any{"event": "members", "members": list})
		case "leave":
			err := ml.Leave(5 * time.Second)
			if err != nil {
				emit(map[string]any{"event": "error", "error": err.Error()})
			}
			emit(map[string]any{"event": "left"})
		}
	}
}
