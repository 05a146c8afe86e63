using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Projects;

namespace Wharf.Server.Alerts;

/// <summary>The webhook body of an alert in each format: Wharf's JSON, a Slack message, a Teams message card.</summary>
internal static class AlertPayload
{
    public static string Of(AlertEvent alert, AlertFormat format)
    {
        var text = alert.Details is null ? alert.Summary : $"{alert.Summary}\n{alert.Details}";
        JsonNode body = format switch
        {
            AlertFormat.Slack => new JsonObject
            {
                ["text"] = $"{Icon(alert.Severity)} *{alert.Summary}*" + (alert.Details is null ? "" : $"\n```{alert.Details}```"),
            },
            AlertFormat.Teams => new JsonObject
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = alert.Summary,
                ["themeColor"] = alert.Severity == "info" ? "2DA44E" : alert.Severity == "warn" ? "D29922" : "CF222E",
                ["title"] = alert.Summary,
                ["text"] = alert.Details ?? "",
            },
            _ => new JsonObject
            {
                ["event"] = alert.Kind,
                ["pipeline"] = alert.Pipeline,
                ["severity"] = alert.Severity,
                ["summary"] = alert.Summary,
                ["details"] = alert.Details,
                ["run_id"] = alert.RunId,
                ["at"] = alert.At,
                ["text"] = text,
            },
        };
        return body.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private static string Icon(string severity) => severity switch
    {
        "info" => ":white_check_mark:",
        "warn" => ":warning:",
        _ => ":x:",
    };
}
