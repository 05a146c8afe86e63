using System.Globalization;
using System.Text;

namespace Wharf.Server.Dashboard;

/// <summary>A line chart drawn on the server as SVG: no script, no CDN, readable offline.</summary>
internal static class SvgChart
{
    private const int Width = 900;
    private const int Height = 300;
    private const int Margin = 50;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

    /// <param name="x">The time of each point, in order.</param>
    /// <param name="series">Each numeric column's name and values (null where the row has none).</param>
    public static string Lines(IReadOnlyList<DateTimeOffset> x, IReadOnlyList<(string Name, double?[] Values)> series)
    {
        var values = series.SelectMany(s => s.Values).OfType<double>().Where(double.IsFinite).ToList();
        if (x.Count < 2 || values.Count == 0)
        {
            return "<p class=muted>Not enough rows to draw a chart.</p>";
        }

        var (x0, x1) = (x[0].ToUnixTimeMilliseconds(), Math.Max(x[^1].ToUnixTimeMilliseconds(), x[0].ToUnixTimeMilliseconds() + 1));
        var (y0, y1) = (values.Min(), values.Max());
        if (y1 <= y0)
        {
            y1 = y0 + 1;
        }

        string X(DateTimeOffset t) => (Margin + ((t.ToUnixTimeMilliseconds() - x0) * (double)(Width - (2 * Margin)) / (x1 - x0))).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double v) => (Height - Margin - ((v - y0) * (Height - (2 * Margin)) / (y1 - y0))).ToString("F1", CultureInfo.InvariantCulture);

        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg role=img viewBox=\"0 0 {Width} {Height}\" width=\"100%\" style=\"background:#fff;border:1px solid #e3e6eb\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{Margin}\" font-size=\"11\">{y1:G4}</text><text x=\"4\" y=\"{Height - Margin}\" font-size=\"11\">{y0:G4}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"{Height - 20}\" font-size=\"11\">{x[0].UtcDateTime:yyyy-MM-dd HH:mm}</text><text x=\"{Width - Margin}\" y=\"{Height - 20}\" font-size=\"11\" text-anchor=\"end\">{x[^1].UtcDateTime:yyyy-MM-dd HH:mm} UTC</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var points = string.Join(' ', Enumerable.Range(0, x.Count).Where(i => series[s].Values[i] is { } v && double.IsFinite(v)).Select(i => $"{X(x[i])},{Y(series[s].Values[i]!.Value)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin + (s * 160)}\" y=\"16\" font-size=\"12\" fill=\"{color}\">{Html.Encode(series[s].Name)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
