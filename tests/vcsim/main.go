// Command vcsim is CpuidMask's test vCenter: govmomi's simulator (vcsim) populated from a
// JSON inventory of hosts with real CPUID data, with the corrections our tests rely on.
// See README.md.
//
// Stdout carries exactly two lines, printed once the server accepts connections:
//
//	VCSIM_THUMBPRINT=AA:BB:...   SHA-256 of the server's self-signed certificate
//	VCSIM_URL=https://127.0.0.1:PORT/sdk
//
// After them, each line read from stdin is a control command (faults, latency; control.go)
// answered by one line on stdout. The process serves until stdin reaches end-of-file (unless
// -watch-stdin=false) or it gets SIGINT/SIGTERM. Diagnostics go to stderr (or -log FILE).
// Exit status: 0 after a normal stop, 1 if the server could not start, 2 for bad flags or a
// bad inventory.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	os.Exit(run())
}

func run() int {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("vcsim: ")
	log.SetOutput(os.Stderr)

	fs := flag.NewFlagSet("vcsim", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	inventoryPath := fs.String("inventory", "", "inventory JSON file (required; see README.md)")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on; the host must be 127.0.0.1 (port 0 = any free port)")
	logRequests := fs.String("log-requests", "", "append one line per SOAP request (the method name) to this file")
	certOut := fs.String("cert-out", "", "write the server's self-signed certificate (PEM) to this file")
	certKey := fs.String("cert-key", "", "serve the certificate and key in this PEM file; when it does not exist, write a fresh pair to it (simulators started with the same file share one certificate)")
	maxObjects := fs.Int("max-objects", 0, "PropertyCollector policy: at most this many objects per RetrievePropertiesEx page, whatever the client asks (0 = no limit)")
	watchStdin := fs.Bool("watch-stdin", true, "read control commands from stdin and stop when it reaches end-of-file")
	delay := fs.Duration("delay", 0, "wait this long before dispatching each SOAP request (e.g. 5ms)")
	taskDuration := fs.Duration("task-duration", 0, "ReconfigVM_Task and ApplyEvcModeVM_Task stay running this long before they finish (e.g. 1s)")
	logPath := fs.String("log", "", "append diagnostics (control commands, faults fired, the stop) to this file instead of stderr")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: vcsim -inventory FILE [-listen 127.0.0.1:PORT] [-log-requests FILE] [-cert-out FILE] [-cert-key FILE] [-max-objects N] [-delay D] [-task-duration D] [-log FILE] [-watch-stdin=false]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "vcsim: unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return 2
	}
	if *inventoryPath == "" {
		fmt.Fprintln(os.Stderr, "vcsim: -inventory is required")
		fs.Usage()
		return 2
	}
	if err := checkListen(*listen); err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: -listen: %v\n", err)
		return 2
	}
	if *maxObjects < 0 {
		fmt.Fprintln(os.Stderr, "vcsim: -max-objects must be >= 0")
		return 2
	}
	if *delay < 0 || *taskDuration < 0 {
		fmt.Fprintln(os.Stderr, "vcsim: -delay and -task-duration must be >= 0")
		return 2
	}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: -log: %v\n", err)
			return 1
		}
		defer f.Close()
		log.SetOutput(f)
	}
	latency.delay.Store(int64(*delay))
	latency.taskDuration.Store(int64(*taskDuration))

	inv, err := loadInventory(*inventoryPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: inventory: %v\n", err)
		return 2
	}
	if inv.FeatureHardwareVersions != nil {
		featureHardwareVersions = inv.FeatureHardwareVersions
	}

	var cert *serverCert
	if *certKey != "" {
		cert, err = sharedCert(*certKey)
	} else {
		cert, err = newServerCert()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: certificate: %v\n", err)
		return 1
	}
	if *certOut != "" {
		if err := cert.writePEM(*certOut); err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: -cert-out: %v\n", err)
			return 1
		}
	}

	var reqLog *requestLog
	if *logRequests != "" {
		if reqLog, err = openRequestLog(*logRequests); err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: -log-requests: %v\n", err)
			return 1
		}
		defer reqLog.close()
	}

	sim, err := populate(inv, *maxObjects)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: building the inventory: %v\n", err)
		return 1
	}
	defer sim.cleanup()

	svc := sim.model.Service
	svc.Listen = &url.URL{Host: *listen, User: url.UserPassword(inv.User, inv.Password)}
	svc.TLS = &tls.Config{Certificates: []tls.Certificate{cert.tls}, MinVersion: tls.VersionTLS12}
	(&frontend{svc: svc, reqLog: reqLog}).install()

	server, err := startServer(svc)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		return 1
	}
	defer server.Close()
	// Runs before server.Close, which waits for every request in progress: held requests
	// and pending tasks give up.
	defer close(stopping)

	addr, ok := server.Listener.Addr().(*net.TCPAddr)
	if !ok || !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		fmt.Fprintf(os.Stderr, "vcsim: refusing to serve on %v\n", server.Listener.Addr())
		return 1
	}

	// The URL line comes last: a client that has read it has everything.
	fmt.Printf("VCSIM_THUMBPRINT=%s\n", cert.thumbprint)
	fmt.Printf("VCSIM_URL=https://%s/sdk\n", addr.String())

	stop := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() { stop <- (<-signals).String() }()
	if *watchStdin {
		go func() {
			serveControl(os.Stdin, os.Stdout)
			stop <- "end of stdin"
		}()
	}
	log.Printf("stopping: %s", <-stop)
	return 0
}

// checkListen accepts only 127.0.0.1:PORT.
func checkListen(listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return err
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("%q: only 127.0.0.1 is allowed", listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: the port must be a number in 0..65535", listen)
	}
	return nil
}

// startServer wraps Service.NewServer, which panics when it cannot listen.
func startServer(svc *simulator.Service) (server *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the server: %v", r)
		}
	}()
	return svc.NewServer(), nil
}
