using System.Text.Json;

namespace Wharf.HttpBench;

/// <summary>
/// What any HTTP extract must do at least: fetch every page of every partition (up to CONCURRENCY
/// partitions at once, pages in order within one) and parse it, counting records; nothing is kept.
/// </summary>
internal static class Baseline
{
    public static async Task<int> RunAsync(string url, int partitions, int concurrency)
    {
        using var client = new HttpClient();
        long records = 0;
        long pages = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, partitions), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (part, token) =>
        {
            for (var page = 1; ; page++)
            {
                await using var body = await client.GetStreamAsync(new Uri($"{url}?part={part}&page={page}"), token);
                using var document = await JsonDocument.ParseAsync(body, cancellationToken: token);
                var count = document.RootElement.GetProperty("data").GetArrayLength();
                Interlocked.Add(ref records, count);
                Interlocked.Increment(ref pages);
                if (count == 0)
                {
                    break;
                }
            }
        });
        Console.WriteLine($"{records} records, {pages} pages");
        return 0;
    }
}
