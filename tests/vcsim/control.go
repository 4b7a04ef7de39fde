package main

// The control protocol on stdin: one command a line; each line read gets exactly one reply
// line on stdout, "VCSIM_OK key=value ..." or "VCSIM_ERROR message", in order, so a test
// writes a command and reads one line. End of stdin stops the launcher. See README.md.
//
//	fault KIND METHOD [on VM] [at N | from N | every] [times K] [for DURATION]  -> id=N target=...
//	status [ID]                          -> the rule's counters, or the launcher's settings
//	wait ID seen|fired|held N [DURATION] -> once the counter reaches N (default 10s, then an error)
//	release [ID]                         -> released=N (frozen requests let go, then performed)
//	clear                                -> cleared=N released=N
//	delay DURATION                       -> delay=...
//	task-duration DURATION               -> task-duration=...

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"
)

// serveControl reads commands from in until end of input, replying on out.
func serveControl(in io.Reader, out io.Writer) {
	scanner := bufio.NewScanner(in)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		reply, err := execControl(line)
		if err != nil {
			log.Printf("control: %q: %v", line, err)
			fmt.Fprintf(out, "VCSIM_ERROR %s\n", oneLine(err.Error()))
			continue
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			log.Printf("control: %s -> %s", line, reply)
		}
		if reply == "" {
			fmt.Fprintln(out, "VCSIM_OK")
		} else {
			fmt.Fprintf(out, "VCSIM_OK %s\n", reply)
		}
	}
}

func execControl(line string) (string, error) {
	words := strings.Fields(line)
	if len(words) == 0 || strings.HasPrefix(words[0], "#") {
		return "", nil
	}
	args := words[1:]
	switch words[0] {
	case "fault":
		r, err := parseFault(args)
		if err != nil {
			return "", err
		}
		id := addFault(r)
		target := r.target
		if target == "" {
			target = "*"
		}
		return fmt.Sprintf("id=%d target=%s", id, target), nil
	case "status":
		switch len(args) {
		case 0:
			return overallStatus(), nil
		case 1:
			id, err := faultID(args[0])
			if err != nil {
				return "", err
			}
			return faultStatus(id)
		}
		return "", fmt.Errorf("usage: status [ID]")
	case "wait":
		return waitFault(args)
	case "release":
		id := 0
		if len(args) > 1 {
			return "", fmt.Errorf("usage: release [ID]")
		}
		if len(args) == 1 {
			var err error
			if id, err = faultID(args[0]); err != nil {
				return "", err
			}
		}
		n, err := releaseFaults(id)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("released=%d", n), nil
	case "clear":
		if len(args) != 0 {
			return "", fmt.Errorf("usage: clear")
		}
		cleared, released := clearFaults()
		return fmt.Sprintf("cleared=%d released=%d", cleared, released), nil
	case "delay", "task-duration":
		if len(args) != 1 {
			return "", fmt.Errorf("usage: %s DURATION (e.g. 5ms, 1s; 0 for none)", words[0])
		}
		d, err := parseLatency(args[0])
		if err != nil {
			return "", fmt.Errorf("%s: %v", words[0], err)
		}
		if words[0] == "delay" {
			latency.delay.Store(int64(d))
		} else {
			latency.taskDuration.Store(int64(d))
		}
		return fmt.Sprintf("%s=%s", words[0], d), nil
	}
	return "", fmt.Errorf("unknown command %q; commands: fault, status, wait, release, clear, delay, task-duration", words[0])
}

// waitFault: "wait ID seen|fired|held N [DURATION]".
func waitFault(args []string) (string, error) {
	if len(args) != 3 && len(args) != 4 {
		return "", fmt.Errorf("usage: wait ID seen|fired|held N [DURATION]")
	}
	id, err := faultID(args[0])
	if err != nil {
		return "", err
	}
	want, err := strconv.Atoi(args[2])
	if err != nil || want < 0 {
		return "", fmt.Errorf("wait: %q is not a count", args[2])
	}
	timeout := 10 * time.Second
	if len(args) == 4 {
		if timeout, err = time.ParseDuration(args[3]); err != nil || timeout <= 0 {
			return "", fmt.Errorf("wait: %q is not a positive duration", args[3])
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		n, err := faultCounter(id, args[1])
		if err != nil {
			return "", err
		}
		if n >= want {
			return faultStatus(id)
		}
		if time.Now().After(deadline) {
			status, _ := faultStatus(id)
			return "", fmt.Errorf("timeout after %s waiting for %s>=%d: %s", timeout, args[1], want, status)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func faultID(s string) (int, error) {
	id, err := strconv.Atoi(s)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("%q is not a fault id", s)
	}
	return id, nil
}

// parseLatency accepts a Go duration ("5ms", "1.5s") or "0".
func parseLatency(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 5ms, 1s; 0 for none)", s)
	}
	return d, nil
}

func oneLine(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ") }
