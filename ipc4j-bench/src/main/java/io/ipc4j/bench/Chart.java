package io.ipc4j.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The latency chart: for the smallest message size (and the wake-up primitives), median round trip per
 * mechanism as bars on a log scale, the C reference's median beside it, and p99 as a marker above.
 */
final class Chart {
    /** The log axis starts here; a missing C value is drawn as a bar of this height, that is, none. */
    private static final double AXIS_MIN = 0.1;
    private Chart() {
    }

    /** Draws the rows' latencies into {@code file}; empty, and no file, when no row has one (every row failed). */
    static Optional<Path> write(BenchReport report, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Integer> sizes = Report.sizes(report);
        List<String> names = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> c50 = new ArrayList<>();
        int smallest = sizes.stream().filter(s -> s > 0).findFirst().orElse(0);
        for (int size : List.of(smallest, 0)) {
            for (Results.Row row : Report.sorted(report, size)) {
                names.add(row.title() + (size > 0 ? " (" + Report.formatSize(size) + ")" : ""));
                p50.add(row.latency().p50() / 1000.0);
                p99.add(row.latency().p99() / 1000.0);
                c50.add(Report.find(report, row.mechanism(), "C", size).filter(Results.Row::ok)
                        .map(c -> c.latency().p50() / 1000.0).orElse(AXIS_MIN));
            }
            if (smallest == 0) {
                break;
            }
        }
        if (names.isEmpty()) {
            return Optional.empty(); // the chart library cannot draw an empty category axis
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(700)
                .title("ipc4j bench: round-trip latency between two processes, " + report.date())
                .xAxisTitle("mechanism").yAxisTitle("microseconds (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(AXIS_MIN);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(35);
        chart.getStyler().setOverlapped(false);
        chart.addSeries("ipc4j p50", names, p50);
        chart.addSeries("C reference p50", names, c50);
        CategorySeries whiskers = chart.addSeries("ipc4j p99", names, p99);
        whiskers.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return Optional.of(file);
    }
}
