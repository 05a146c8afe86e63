using PublicApiGenerator;

namespace Wharf.Tests.Packaging;

/// <summary>
/// The library's public surface is the documented API (docs/library.md); everything else is
/// internal. A change to it must be deliberate: this test fails until the approved file is updated.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_IsTheApprovedOne()
    {
        var api = typeof(WharfProject).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] });
        var folder = Path.Combine(Cli.QuickstartExampleTests.RepositoryRoot(), "tests", "Wharf.Tests", "Packaging");
        var approved = Path.Combine(folder, "Wharf.Core.approved.txt");
        var received = Path.Combine(folder, "Wharf.Core.received.txt");
        var expected = File.Exists(approved) ? File.ReadAllText(approved) : "";
        if (api.ReplaceLineEndings("\n") != expected.ReplaceLineEndings("\n"))
        {
            File.WriteAllText(received, api);
            Assert.Fail($"The public API of Wharf.Core changed. If that is deliberate, document it in docs/library.md and accept it: mv {received} {approved}");
        }

        File.Delete(received);
    }
}
