package dev.oomheapdump.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Prometheus sample, scraped through the real JMX exporter's Java agent in a JVM that runs ours too:
 * every number the MBean has is a metric, with the bean's value, through a snapshot, a failed OOM dump and a
 * written one. The sample is {@code docs/prometheus-jmx-exporter.yaml}, and the README shows it word for word.
 */
@ExtendWith(ChildOutputOnFailure.class)
class PrometheusExporterIT {

    /** The metric of every numeric attribute: names ops write alerts against (the README lists them). */
    static final Map<String, String> METRICS = Map.ofEntries(
            entry("ArtifactCount", "oomheapdump_artifacts"),
            entry("ArtifactBytes", "oomheapdump_artifact_bytes"),
            entry("FreeDiskBytes", "oomheapdump_free_disk_bytes"),
            entry("LastOomDumpMillis", "oomheapdump_last_oom_dump_timestamp_seconds"),
            entry("FailedDumpCount", "oomheapdump_failed_dumps_total"),
            entry("OomDumpCount", "oomheapdump_oom_dumps_total"),
            entry("HookArmed", "oomheapdump_hook_armed"),
            entry("Busy", "oomheapdump_busy"),
            entry("HeapdumpOnOOM", "oomheapdump_option_heapdump_on_oom"),
            entry("AddTimestamp", "oomheapdump_option_add_timestamp"),
            entry("Threshold", "oomheapdump_option_threshold"),
            entry("Limit", "oomheapdump_option_limit"),
            entry("Port", "oomheapdump_option_port"),
            entry("Gzip", "oomheapdump_option_gzip"),
            entry("MaxDumps", "oomheapdump_option_max_dumps"),
            entry("MaxBytes", "oomheapdump_option_max_bytes"));

    private static final ObjectName BEAN = name(ChildJvm.OBJECT_NAME);

    @TempDir
    Path base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Path projectDir() {
        return Paths.get(System.getProperty("oomheapdump.projectDir", "..")).toAbsolutePath().normalize();
    }

    static Path sample() {
        return projectDir().resolve("docs").resolve("prometheus-jmx-exporter.yaml");
    }

    @Test
    void theReadmeShowsTheSampleWordForWord() throws Exception {
        String readme = Files.readString(projectDir().resolve("README.md"));
        String marker = "<!-- docs/prometheus-jmx-exporter.yaml";
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "the README marks the sample with " + marker);
        int start = readme.indexOf("```yaml\n", at) + "```yaml\n".length();
        int end = readme.indexOf("```\n", start);
        assertEquals(Files.readString(sample()), readme.substring(start, end));
    }

    @Test
    void everyNumberOfTheMBeanIsScrapedWithTheBeansValue() throws Exception {
        int metricsPort = ChildJvm.freePort();
        Path exporter = Paths.get(System.getProperty("oomheapdump.prometheusJmxJar", "target/tools/jmx_prometheus_javaagent.jar"))
                .toAbsolutePath();
        Path dir = base.resolve("dumps");
        try (ChildJvm child = ChildJvm.builder().heap("64m").directory(dir)
                .jvmArgs("-javaagent:" + exporter + "=127.0.0.1:" + metricsPort + ":" + sample(), "-XX:MaxDirectMemorySize=16m")
                .start()) {
            child.awaitLine("JMX listening on", Duration.ofSeconds(30));
            MBeanServerConnection bean = child.connect();
            assertEquals(METRICS.keySet(), numericAttributes(bean), "every number of the MBean has its metric");
            String url = "http://127.0.0.1:" + metricsPort + "/metrics";

            Map<String, Double> fresh = scrapedLikeTheBean(child, bean, url);
            assertEquals(1.0, fresh.get("oomheapdump_hook_armed"), "NATIVE_HOOK arms the JVM's hook");
            assertEquals(0.0, fresh.get("oomheapdump_artifacts"));
            assertEquals(0.0, fresh.get("oomheapdump_last_oom_dump_timestamp_seconds"));
            assertTrue(fresh.get("oomheapdump_free_disk_bytes") > 0);
            assertEquals(1.0, fresh.get("oomheapdump_profiler_engine{engine=\"ASYNC_PROFILER\"}"), fresh.toString());
            assertEquals(1.0, fresh.get("oomheapdump_oom_implementation{implementation=\"NATIVE_HOOK\"}"), fresh.toString());
            assertTrue(fresh.get("jvm_memory_max_bytes{area=\"heap\"}") > 0, "the README's disk alert compares with it");

            String snapshot = (String) bean.invoke(BEAN, "createHeapSnapshot", new Object[]{"scraped"},
                    new String[]{String.class.getName()});
            Map<String, Double> afterSnapshot = scrapedLikeTheBean(child, bean, url);
            assertEquals(1.0, afterSnapshot.get("oomheapdump_artifacts"));
            assertEquals((double) Files.size(Path.of(snapshot)), afterSnapshot.get("oomheapdump_artifact_bytes"));

            // the directory replaced by a file, by two renames (the suite makes a vanished directory again)
            Path aside = Files.move(dir, base.resolve("aside"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(Files.writeString(base.resolve("file"), "a file where the dump directory was"), dir,
                    StandardCopyOption.ATOMIC_MOVE);
            child.send("retry 1");
            child.awaitLine("RETRIED 1", Duration.ofSeconds(30));
            Map<String, Double> afterFailure = scrapedLikeTheBean(child, bean, url);
            assertEquals(1.0, afterFailure.get("oomheapdump_failed_dumps_total"), "the trapped OOM's dump had no directory");
            assertEquals(0.0, afterFailure.get("oomheapdump_last_oom_dump_timestamp_seconds"));

            Files.delete(dir);
            Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
            long before = System.currentTimeMillis();
            child.send("retry 1");
            child.awaitLine("RETRIED 1", Duration.ofSeconds(30));
            child.await(Duration.ofSeconds(30), "the OOM dump is listed")
                    .until(() -> (Long) bean.getAttribute(BEAN, "LastOomDumpMillis") >= before - 2000);
            Map<String, Double> afterDump = scrapedLikeTheBean(child, bean, url);
            assertEquals(2.0, afterDump.get("oomheapdump_oom_dumps_total"), "two attempts of the OOM policy");
            assertEquals(1.0, afterDump.get("oomheapdump_failed_dumps_total"));
            assertTrue(afterDump.get("oomheapdump_last_oom_dump_timestamp_seconds") * 1000 >= before - 2000);
        }
    }

    /** The numeric attributes (int, long, boolean) as the MBean describes itself. */
    private static Set<String> numericAttributes(MBeanServerConnection bean) throws Exception {
        return Arrays.stream(bean.getMBeanInfo(BEAN).getAttributes())
                .filter(a -> List.of("int", "long", "boolean").contains(a.getType()))
                .map(MBeanAttributeInfo::getName).collect(Collectors.toSet());
    }

    /**
     * Scrapes until every metric holds the bean's value read right before and after (the listing refreshes once a
     * second, free disk moves with every process on the host: within 1 % for it).
     */
    private Map<String, Double> scrapedLikeTheBean(ChildJvm child, MBeanServerConnection bean, String url) {
        Map<String, Double>[] scraped = new Map[1];
        child.await(Duration.ofSeconds(20), "the scrape of " + url + " shows the bean's values").until(() -> {
            Map<String, Object> before = values(bean);
            scraped[0] = scrape(url);
            Map<String, Object> after = values(bean);
            for (Map.Entry<String, String> metric : METRICS.entrySet()) {
                Double value = scraped[0].get(metric.getValue());
                if (value == null || !matches(metric.getKey(), value, before.get(metric.getKey()))
                        && !matches(metric.getKey(), value, after.get(metric.getKey()))) {
                    return false;
                }
            }
            return true;
        });
        return scraped[0];
    }

    private static boolean matches(String attribute, double metric, Object bean) {
        double expected = bean instanceof Boolean ? ((Boolean) bean ? 1 : 0) : ((Number) bean).doubleValue();
        if (attribute.equals("LastOomDumpMillis")) {
            return Math.abs(metric * 1000 - expected) < 1;
        }
        if (attribute.equals("FreeDiskBytes")) {
            return Math.abs(metric - expected) <= expected / 100;
        }
        return metric == expected;
    }

    private static Map<String, Object> values(MBeanServerConnection bean) throws Exception {
        Map<String, Object> values = new HashMap<>();
        for (String attribute : METRICS.keySet()) {
            values.put(attribute, bean.getAttribute(BEAN, attribute));
        }
        return values;
    }

    /** The samples of a scrape in Prometheus's text format: {@code name{labels}} to value. */
    private Map<String, Double> scrape(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
