using System.Text;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>Looks for a secret everywhere a run leaves text: its output, the audit, the state, the lake's files.</summary>
internal static class SecretScan
{
    public static void ShouldNotLeak(this TempProject project, string secret, params WharfProcess.Result[] results)
    {
        foreach (var result in results)
        {
            result.Output.ShouldNotContain(secret);
            result.Error.ShouldNotContain(secret);
        }

        if (File.Exists(project.Warehouse))
        {
            project.Rows("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM _wharf.runs").ShouldAllBe(row => !row.Contains(secret));
            project.Rows("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM _wharf.state").ShouldAllBe(row => !row.Contains(secret));
        }

        foreach (var file in Directory.Exists(project.Lake) ? Directory.GetFiles(project.Lake, "*", SearchOption.AllDirectories) : [])
        {
            Encoding.UTF8.GetString(File.ReadAllBytes(file)).ShouldNotContain(secret, customMessage: file);
        }
    }
}
