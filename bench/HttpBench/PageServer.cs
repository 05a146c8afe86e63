using System.Globalization;
using System.Net;
using System.Text;

namespace Wharf.HttpBench;

/// <summary>
/// Serves <c>GET /records?part=P&amp;page=N</c>: RECORDS records split evenly over PARTITIONS, in
/// pages of 1,000, then an empty page. Each page is built from its numbers (no state, no disk),
/// the same bytes every time, so Wharf and the baseline download identical pages.
/// </summary>
internal static class PageServer
{
    public const int PageSize = 1000;

    public static async Task<int> RunAsync(int port, long records, int partitions)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Console.WriteLine($"listening on http://127.0.0.1:{port}/records ({records} records, {partitions} partitions)");
        var perPart = (records + partitions - 1) / partitions;
        while (true)
        {
            var context = await listener.GetContextAsync();
            _ = Task.Run(async () =>
            {
                var query = context.Request.QueryString;
                var part = long.Parse(query["part"] ?? "0", CultureInfo.InvariantCulture);
                var page = long.Parse(query["page"] ?? "1", CultureInfo.InvariantCulture);
                var first = part * perPart + (page - 1) * PageSize;
                var last = Math.Min(Math.Min(records, (part + 1) * perPart), first + PageSize);
                var bytes = Encoding.UTF8.GetBytes(Page(first, last));
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            });
        }
    }

    /// <summary>Records <paramref name="first"/> (inclusive) to <paramref name="last"/> (exclusive): sensor readings with a nested object.</summary>
    private static string Page(long first, long last)
    {
        var text = new StringBuilder("{\"data\":[");
        for (var id = first; id < last; id++)
        {
            text.Append(id == first ? "" : ",").Append(CultureInfo.InvariantCulture,
                $"{{\"id\":{id},\"turbine\":\"T-{id % 97:D3}\",\"at\":\"2026-01-01T{id / 3600 % 24:D2}:{id / 60 % 60:D2}:{id % 60:D2}Z\",\"power_kw\":{id % 3000}.{id % 10},\"status\":\"{(id % 13 == 0 ? "fault" : "ok")}\",\"wind\":{{\"speed\":{id % 25}.5,\"direction\":{id % 360}}}}}");
        }

        return text.Append("]}").ToString();
    }
}
