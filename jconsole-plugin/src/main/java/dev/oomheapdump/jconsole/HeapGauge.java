package dev.oomheapdump.jconsole;

import javax.swing.JComponent;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;

/** A bar: heap in use and committed against the maximum, with the policy's threshold as a vertical line. */
final class HeapGauge extends JComponent {

    private static final Color USED = new Color(0x3C, 0x8D, 0x2F);
    private static final Color USED_HIGH = new Color(0xD9, 0x6C, 0x00);
    private static final Color COMMITTED = new Color(0xC9, 0xDD, 0xC4);
    private static final Color FREE = new Color(0xEE, 0xEE, 0xEE);
    private static final Color THRESHOLD = new Color(0xC0, 0x10, 0x10);

    private long used;
    private long committed;
    private long limit;
    private int threshold;
    private boolean monitoring;

    HeapGauge() {
        setOpaque(false);
    }

    void set(long used, long committed, long limit, int threshold, boolean monitoring) {
        this.used = used;
        this.committed = committed;
        this.limit = limit;
        this.threshold = threshold;
        this.monitoring = monitoring;
        repaint();
    }

    @Override
    public Dimension getPreferredSize() {
        return new Dimension(400, 38);
    }

    @Override
    public Dimension getMinimumSize() {
        return new Dimension(100, 38);
    }

    @Override
    protected void paintComponent(Graphics graphics) {
        Graphics2D g = (Graphics2D) graphics.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int x = 1;
            int y = 2;
            int w = getWidth() - 3;
            int h = 18;
            g.setColor(FREE);
            g.fillRect(x, y, w, h);
            if (limit > 0) {
                g.setColor(COMMITTED);
                g.fillRect(x, y, scale(committed, w), h);
                boolean high = threshold > 0 && used * 100 >= (long) threshold * limit;
                g.setColor(high ? USED_HIGH : USED);
                g.fillRect(x, y, scale(used, w), h);
            }
            g.setColor(Color.GRAY);
            g.drawRect(x, y, w, h);
            if (threshold > 0) {
                int tx = x + (int) ((long) w * threshold / 100);
                g.setColor(monitoring ? THRESHOLD : Color.GRAY);
                if (!monitoring) {
                    g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{3f, 3f}, 0f));
                } else {
                    g.setStroke(new BasicStroke(2f));
                }
                g.drawLine(tx, y - 2, tx, y + h + 2);
                String text = "threshold " + threshold + "%" + (monitoring ? "" : " (GC_MONITORING only)");
                g.setFont(getFont().deriveFont(Font.PLAIN, getFont().getSize2D() - 1f));
                FontMetrics fm = g.getFontMetrics();
                int textX = tx + 4 + fm.stringWidth(text) < x + w ? tx + 4 : tx - 4 - fm.stringWidth(text);
                g.drawString(text, Math.max(x, textX), y + h + fm.getAscent() + 1);
            }
        } finally {
            g.dispose();
        }
    }

    private int scale(long value, int width) {
        return (int) Math.max(0, Math.min(width, (double) value * width / limit));
    }
}
