using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>What fetching one partition gave: its spooled records and every page's request and status (for the manifest).</summary>
internal sealed record FetchResult(Partition Partition, RecordSpool Spool, IReadOnlyList<string> Pages);

/// <summary>
/// Fetches every page of one partition, in order, into a <see cref="RecordSpool"/>. Each page is
/// downloaded into memory (a body that breaks off is retried whole), parsed, checked (JSON, records
/// present, fields of the same kind as before) and spooled before the next is asked for, so memory
/// holds one page. A next page that was already fetched is an error naming both, as is a page
/// that repeats the previous one: paging never loops, and no record is read twice.
/// </summary>
internal sealed class PageFetcher(HttpConnection http, PipelineSettings pipeline, string stream, RecordShape shape, ILogger logger)
{
    private HttpRequestSettings Request => pipeline.Http!;

    /// <param name="incremental">The incremental parameter's value for this run, or null.</param>
    public async Task<FetchResult> FetchAsync(Partition partition, string? incremental, string spoolPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var spool = new RecordSpool(spoolPath, partition.Columns);
        lock (shape)
        {
            shape.LearnText(partition.Columns);
        }

        try
        {
            var pages = await FetchPagesAsync(partition, incremental, spool, cancellationToken);
            await spool.CloseAsync();
            return new FetchResult(partition, spool, pages);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    private async Task<List<string>> FetchPagesAsync(Partition partition, string? incremental, RecordSpool spool, CancellationToken cancellationToken)
    {
        var paginator = Paginator.Create(Request.Paginate);
        var sent = new Dictionary<string, (int Page, string Url)>(StringComparer.Ordinal);
        var pages = new List<string>();
        byte[]? previous = null;
        // In memory, as the parsed page is anyway: a file here cost a thread-pool hop per 64 KiB read or written.
        await using var body = new MemoryStream(1 << 18);
        var request = paginator.First(First(partition, incremental));
        for (var number = 1; request is not null; number++)
        {
            var url = http.Secrets.Url(request.Url);
            if (sent.TryGetValue(request.Identity, out var earlier))
            {
                throw Fail(partition, number - 1, sent.Values.First(v => v.Page == number - 1).Url,
                    $"gives {url} as its next page, which page {earlier.Page} already fetched: the pagination loops. Check 'paginate:' (the server's next link or cursor does not move on)", null);
            }

            sent[request.Identity] = (number, url);
            var answer = await DownloadAsync(request, body, partition, number, cancellationToken);
            using (var page = await ReadAsync(body, answer.ContentType, partition, number, url))
            {
                var records = page.Records;
                var count = records.GetArrayLength();
                var hash = SHA256.HashData(JsonMarshal.GetRawUtf8Value(records));
                if (count > 0 && previous is not null && hash.AsSpan().SequenceEqual(previous))
                {
                    throw Fail(partition, number, url, $"holds exactly the records of page {number - 1} ({sent.Values.First(v => v.Page == number - 1).Url}): the server ignores the paging parameters, or the pagination loops. Check 'paginate:'", null);
                }

                previous = hash;
                Learn(records, partition, number, url);
                await spool.WriteAsync(records, cancellationToken);
                pages.Add($"{request.Method} {url} -> {answer.Status}");
                HttpLog.PageFetched(logger, pipeline.Name, request.Method.Method, url, answer.Status, count, number);
                var capped = number >= Request.Paginate.MaxPages;
                try
                {
                    request = paginator.Next(new FetchedPage(number, request, answer.Status, page.Root, count, answer.Headers));
                }
                catch (PagingException ex) when (!capped)
                {
                    throw Fail(partition, number, url, $"cannot be paged past: {ex.Message}", ex);
                }
                catch (PagingException)
                {
                    request = null;
                }

                if (capped && request is not null)
                {
                    // A cap the user set, but records left unread must not pass without a word.
                    HttpLog.MaxPagesReached(logger, pipeline.Name, number, url);
                    break;
                }
            }
        }

        return pages;
    }

    private sealed record Answer(int Status, string? ContentType, IReadOnlyDictionary<string, string> Headers);

    /// <summary>The page's body into <paramref name="body"/>, from its start again on every attempt.</summary>
    private async Task<Answer> DownloadAsync(HttpRequestSpec request, MemoryStream body, Partition partition, int number, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, async (response, token) =>
            {
                body.SetLength(0);
                await response.Content.CopyToAsync(body, token);
                SourceBytes.Add(body.Length);
                await body.FlushAsync(token);
                body.Position = 0;
                var headers = response.Headers.Concat(response.Content.Headers)
                    .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.OrdinalIgnoreCase);
                return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), headers);
            }, cancellationToken);
        }
        catch (HttpSourceException ex)
        {
            throw new HttpSourceException(http.Name, $"Pipeline '{pipeline.Name}': page {number}{partition.Describe()} failed: {ex.Message.TrimEnd('.')}. Nothing was loaded.", ex.InnerException)
            {
                Stream = stream,
                Url = ex.Url,
                Page = number,
                StatusCode = ex.StatusCode,
                Transient = ex.Transient,
            };
        }
    }

    private async Task<PageBody> ReadAsync(MemoryStream body, string? contentType, Partition partition, int number, string url)
    {
        try
        {
            if (Request.Soap is { } soap)
            {
                // The XML becomes the JSON page every paginator and the spool read.
                using var json = SoapPage.ToJson(body, soap);
                return await PageBody.ReadAsync(json, "application/json", Request.Records, CancellationToken.None);
            }

            return await PageBody.ReadAsync(body, contentType, Request.Records, CancellationToken.None);
        }
        catch (PagingException ex) when (Request.Soap is not null)
        {
            throw Fail(partition, number, url, ex.Message, ex);
        }
        catch (PagingException ex)
        {
            throw Fail(partition, number, url, $"answered, but {ex.Message}. Expected JSON with a list of records", ex);
        }
    }

    private void Learn(JsonElement records, Partition partition, int number, string url)
    {
        try
        {
            lock (shape)
            {
                foreach (var record in records.EnumerateArray())
                {
                    shape.Learn(record, number);
                }
            }
        }
        catch (ShapeChangeException ex)
        {
            var advice = Request.Soap is not null && ex.ListOrNot
                ? $"An element that repeats in some records only is a list in all of them with 'repeated: [{ex.Field.Split('.')[^1]}]'"
                : "Every page must give each field the same kind of value";
            throw Fail(partition, number, url, $"changes the records' schema: {ex.Message}. {advice}", ex);
        }
    }

    /// <summary>The first request: the endpoint and parameters with the partition's variables, and the incremental parameter.</summary>
    private HttpRequestSpec First(Partition partition, string? incremental)
    {
        var variables = partition.Variables;
        var what = $"pipeline '{pipeline.Name}'";
        var url = http.Resolve(Template.Render(Request.Endpoint, variables, Uri.EscapeDataString, $"The endpoint of {what}"));
        if (Request.Soap is not null)
        {
            // SOAP: the incremental value is a variable of the envelope, like the partition's.
            var values = incremental is null ? variables : new Dictionary<string, string>(variables) { [Request.Incremental!.Param] = incremental };
            return SoapRequest.Create(url, http.Settings.Soap!, Request, values, what);
        }

        var parameters = Request.Params.Select(p => KeyValuePair.Create(p.Key, Template.Render(p.Value, variables, null, $"The parameter '{p.Key}' of {what}"))).ToList();
        if (incremental is not null)
        {
            parameters.Add(KeyValuePair.Create(Request.Incremental!.Param, incremental));
        }

        return new HttpRequestSpec(new HttpMethod(Request.Method), UrlQuery.With(url, parameters))
        {
            Headers = [.. Request.Headers.Select(h => KeyValuePair.Create(h.Key, Template.Render(h.Value, variables, null, $"The header '{h.Key}' of {what}")))],
            Body = Request.Body is { } body ? Template.Render(body, variables, v => JsonEncodedText.Encode(v).ToString(), $"The body of {what}") : null,
        };
    }

    private HttpSourceException Fail(Partition partition, int number, string url, string problem, Exception? inner) =>
        new(http.Name, $"Pipeline '{pipeline.Name}': page {number}{partition.Describe()} ({url}) {problem}. Nothing was loaded.", inner)
        {
            Stream = stream,
            Url = url,
            Page = number,
        };
}
