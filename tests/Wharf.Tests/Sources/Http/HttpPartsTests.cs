using Wharf.Sources.Http;

namespace Wharf.Tests.Sources.Http;

/// <summary>The small parts of HTTP sources, without a server: masking, exact numbers, Link headers, watermark formats.</summary>
public sealed class HttpPartsTests
{
    [Fact]
    public void SecretMask_HidesSecretValuesAnywhere_AndSecretParametersInUrls()
    {
        var mask = new SecretMask(["tok-123456", "ab"]);
        mask.Add("runtime-token-999");

        mask.Mask("Bearer tok-123456 failed; got runtime-token-999").ShouldBe("Bearer *** failed; got ***");
        mask.Mask("a lab report").ShouldBe("a lab report", "secrets shorter than four characters are not searched for in text");
        mask.Url(new Uri("https://api.test/x?page=2&api_key=whatever&Access_Token=t&q=tok-123456"))
            .ShouldBe("https://api.test/x?page=2&api_key=***&Access_Token=***&q=***");
        mask.Url(new Uri("https://user:pw@api.test/x")).ShouldBe("https://api.test/x");
    }

    [Theory]
    [InlineData("42", true)]
    [InlineData("-9223372036854775808", true)]
    [InlineData("18446744073709551615", true)]
    [InlineData("18446744073709551616", false)]
    [InlineData("-9223372036854775809", false)]
    [InlineData("0.1", true)]
    [InlineData("12.50", true)]
    [InlineData("1e5", true)]
    [InlineData("1.5E-3", true)]
    [InlineData("123456789.123456789012", false)]
    [InlineData("0.1000000000000000055511151231257827", false)]
    [InlineData("1e400", false)]
    public void JsonNumbers_IsExact_WhenDuckDbReadsTheSameValue(string text, bool exact)
    {
        JsonNumbers.IsExact(text).ShouldBe(exact);
        JsonNumbers.IsExact(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(exact, "the UTF-8 overload's shortcut agrees");
    }

    /// <summary>The UTF-8 overload's shortcut (up to 15 digits) against the full check, on numbers of 1 to 20 digits.</summary>
    [Fact]
    public void JsonNumbers_Utf8Shortcut_AgreesWithTheFullCheck()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = string.Concat(Enumerable.Range(0, random.Next(1, 21)).Select(_ => (char)('0' + random.Next(10))));
            var point = random.Next(digits.Length + 1);
            var text = (random.Next(2) == 0 ? "-" : "") + (point == 0 || point == digits.Length ? digits : $"{digits[..point]}.{digits[point..]}");
            JsonNumbers.IsExact(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(JsonNumbers.IsExact(text), text);
        }
    }

    [Theory]
    [InlineData("<https://api.test/x?page=2>; rel=\"next\", <https://api.test/x?page=9>; rel=\"last\"", "https://api.test/x?page=2")]
    [InlineData("<https://api.test/x?page=1>; rel=\"prev first\", </x?page=3>; rel=\"next\"", "/x?page=3")]
    [InlineData("<https://api.test/x?page=3>; title=\"next\"; rel=next", "https://api.test/x?page=3")]
    [InlineData("<https://api.test/x?page=1>; rel=\"prev\"", null)]
    public void LinkHeader_FindsTheNextRelation(string header, string? next) => LinkHeaderPaginator.NextOf(header).ShouldBe(next);

    [Theory]
    [InlineData("2024-01-05 10:00:00.000000+00", "iso", "2024-01-05T10:00:00Z")]
    [InlineData("2024-01-05 10:00:00.250000+00", "iso", "2024-01-05T10:00:00.250000Z")]
    [InlineData("2024-01-05 12:00:00+02", "iso", "2024-01-05T10:00:00Z")]
    [InlineData("2024-01-01T00:00:00Z", "unix", "1704067200")]
    [InlineData("2024-01-01T00:00:01Z", "unix_ms", "1704067201000")]
    [InlineData("2024-01-05 10:00:00", "date", "2024-01-05")]
    [InlineData("2024-01-05 10:00:00", "yyyy/MM/dd HH:mm", "2024/01/05 10:00")]
    [InlineData("1234", "iso", "1234")]
    public void IncrementalParam_WritesTheWatermarkAsTheApiWants(string value, string format, string sent) =>
        IncrementalParam.Format(value, format).ShouldBe(sent);
}
