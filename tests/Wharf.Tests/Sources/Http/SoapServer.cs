using System.Globalization;
using System.Security;
using System.Xml.Linq;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// A stock-quote SOAP service on the test's <see cref="ApiServer"/>: reads the envelope Wharf sent
/// (market and page in the <c>urn:example:stocks</c> namespace), answers realistic envelopes of
/// either SOAP version, pages of quotes, and a Fault for the market <c>BAD</c>.
/// </summary>
internal static class SoapServer
{
    public const string Stocks = "urn:example:stocks";
    public const string Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Soap12 = "http://www.w3.org/2003/05/soap-envelope";

    /// <param name="pages">Quotes per page (the last may be short); every quote names its market and page.</param>
    public static Func<ApiContext, Task> Quotes(string version, params int[] pages) => context =>
    {
        var envelope = XDocument.Parse(context.Body);
        XNamespace m = Stocks;
        var market = envelope.Descendants(m + "Market").Single().Value;
        var page = int.Parse(envelope.Descendants(m + "Page").SingleOrDefault()?.Value ?? "1", CultureInfo.InvariantCulture);
        if (market == "BAD")
        {
            return Fault(context, version, market);
        }

        var count = page <= pages.Length ? pages[page - 1] : 0;
        var quotes = string.Concat(Enumerable.Range(1, count).Select(i => $"""
                <m:Quote symbol="S{page}-{i}" exchange="XNAS">
                  <m:Price currency="USD">{page}{i}.10</m:Price>
                  <m:Volume>12345678901234567890{i}</m:Volume>
                  <m:Name>Zoë &amp; Söhne &lt;AG&gt; ✓</m:Name>
                  <m:Note xsi:nil="true"/>
                  <m:Market>{SecurityElement.Escape(market)}</m:Market>
                  <m:Page>{page}</m:Page>
                </m:Quote>
            """));
        var soap = version == "1.2" ? Soap12 : Soap11;
        return context.Text($"""
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:soap="{soap}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="{Stocks}">
              <soap:Header><m:ServerTime>2026-12-04T12:00:00Z</m:ServerTime></soap:Header>
              <soap:Body>
                <m:GetQuotesResponse>
                  <m:TotalPages>{pages.Length}</m:TotalPages>
                  <m:Quotes>{quotes}</m:Quotes>
                </m:GetQuotesResponse>
              </soap:Body>
            </soap:Envelope>
            """, version == "1.2" ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8");
    };

    /// <summary>One page of three quotes with 2, 1 and 0 <c>Trade</c> elements (each trade with a repeated <c>Flag</c> once or twice).</summary>
    public static Func<ApiContext, Task> QuotesWithTrades() => context => context.Text($"""
        <?xml version="1.0" encoding="utf-8"?>
        <soap:Envelope xmlns:soap="{Soap11}" xmlns:m="{Stocks}">
          <soap:Body>
            <m:GetQuotesResponse>
              <m:Quotes>
                <m:Quote symbol="S1">
                  <m:Trade id="t1"><m:Qty>100</m:Qty><m:Flag>odd-lot</m:Flag><m:Flag>late</m:Flag></m:Trade>
                  <m:Trade id="t2"><m:Qty>0.5</m:Qty><m:Flag>block</m:Flag></m:Trade>
                </m:Quote>
                <m:Quote symbol="S2">
                  <m:Trade id="t3"><m:Qty>12345678901234567890.123</m:Qty><m:Flag>late</m:Flag></m:Trade>
                </m:Quote>
                <m:Quote symbol="S3"/>
              </m:Quotes>
            </m:GetQuotesResponse>
          </soap:Body>
        </soap:Envelope>
        """, "text/xml; charset=utf-8");

    private static Task Fault(ApiContext context, string version, string market) => version == "1.2"
        ? context.Text($"""
            <env:Envelope xmlns:env="{Soap12}" xmlns:m="{Stocks}">
              <env:Body>
                <env:Fault>
                  <env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>m:UnknownMarket</env:Value></env:Subcode></env:Code>
                  <env:Reason><env:Text xml:lang="en">Unknown market {market}</env:Text></env:Reason>
                </env:Fault>
              </env:Body>
            </env:Envelope>
            """, "application/soap+xml; charset=utf-8", 500)
        : context.Text($"""
            <soap:Envelope xmlns:soap="{Soap11}">
              <soap:Body>
                <soap:Fault>
                  <faultcode>soap:Client</faultcode>
                  <faultstring>Unknown market {market}</faultstring>
                </soap:Fault>
              </soap:Body>
            </soap:Envelope>
            """, "text/xml; charset=utf-8", 500);
}
