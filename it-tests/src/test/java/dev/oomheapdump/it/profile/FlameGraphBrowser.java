package dev.oomheapdump.it.profile;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens a flame graph in headless Chromium (Debian's {@code chromium}, which {@code .ci/run} installs) from a server
 * on 127.0.0.1, as a person's browser would, in a frame of a test page. Once it has loaded, the test page counts the
 * canvas pixels the graph drew and runs the graph's own search for a method, then Chromium prints the page: the
 * share of samples the graph shows under that method, and how much it drew.
 */
final class FlameGraphBrowser {

    /** What the browser showed. */
    record Rendered(double matchedPercent, long drawnPixels, String page) {
        @Override
        public String toString() {
            return "matched " + matchedPercent + "%, drawn pixels " + drawnPixels;
        }
    }

    private static final String PAGE = "<!DOCTYPE html><html><body><p id='result'>pending</p>"
            + "<iframe id='graph' src='/graph.html' width='1200' height='900'></iframe><script>"
            + "document.getElementById('graph').onload = function () {"
            + "  const w = this.contentWindow, d = w.document, canvas = d.getElementById('canvas');"
            + "  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
            + "  let drawn = 0; for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) drawn++; }"
            + "  w.search(new RegExp(PATTERN));"
            + "  document.getElementById('result').textContent = 'matched=' + parseFloat(d.getElementById('matchval')"
            + "    .textContent) + ' drawn=' + drawn;"
            + "};</script></body></html>";
    private static final Pattern RESULT = Pattern.compile("matched=([0-9.]+) drawn=([0-9]+)");

    private FlameGraphBrowser() {
    }

    static Path chromium() {
        Path path = Path.of(System.getProperty("oomheapdump.chromium", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(path), "Chromium is installed (.ci/run installs Debian's chromium): " + path);
        return path;
    }

    static Rendered render(Path flameGraph, String methodPattern, Path profileDir) throws Exception {
        byte[] graph = Files.readAllBytes(flameGraph);
        byte[] page = PAGE.replace("PATTERN", "'" + methodPattern.replace("\\", "\\\\") + "'")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().equals("/graph.html") ? graph : page;
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Files.createDirectories(profileDir);
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            List<String> command = List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profileDir, "--virtual-time-budget=10000",
                    "--window-size=1280,1000", "--dump-dom", url);
            Process process = new ProcessBuilder(command).redirectError(profileDir.resolve("chromium.log").toFile()).start();
            String dom = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "Chromium ended");
            Matcher m = RESULT.matcher(dom);
            assertTrue(m.find(), "the page ran its script in Chromium:\n" + dom + "\n" + chromiumLog(profileDir));
            return new Rendered(Double.parseDouble(m.group(1)), Long.parseLong(m.group(2)), dom);
        } finally {
            server.stop(0);
        }
    }

    private static String chromiumLog(Path profileDir) throws IOException {
        Path log = profileDir.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
