using System.Text;
using Wharf.Sources.Files;

namespace Wharf.Tests.Sources;

/// <summary>Where a text file stops being UTF-8.</summary>
public sealed class Utf8DiagnosisTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-utf8-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(folder.FullName, $"{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Find_WhenTheFileIsUtf8_WithABomAndEveryWidthOfCharacter_ReturnsNull() =>
        Utf8Diagnosis.Find(Write([.. Encoding.UTF8.Preamble, .. "id,name\n1,José 😀 中\n"u8])).ShouldBeNull();

    [Fact]
    public void Find_NamesTheLineAndColumnOfTheFirstLatin1Byte()
    {
        var problem = Utf8Diagnosis.Find(Write([.. "id,name\n1,Ação\n2,"u8, .. Encoding.Latin1.GetBytes("José")]))!;

        problem.Line.ShouldBe(3);
        problem.Column.ShouldBe(6);
        problem.Message.ShouldBe("the byte 0xE9 is not UTF-8");
    }

    [Fact]
    public void Find_ACharacterSplitAcrossTheReadBuffer_IsNotABadByte()
    {
        // 65,535 ASCII bytes put the two bytes of 'é' on either side of the 64 KiB buffer's end.
        var text = new string('a', 65_535) + "é\n" + new string('b', 10);
        Utf8Diagnosis.Find(Write(Encoding.UTF8.GetBytes(text))).ShouldBeNull();
        Utf8Diagnosis.Find(Write([.. Encoding.UTF8.GetBytes(text), 0xFF]))!.Line.ShouldBe(2);
    }
}
