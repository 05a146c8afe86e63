namespace Wharf.Cli;

/// <summary>What <c>wharf</c> returns, so Airflow, cron or CI can act on it.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A run, a query or a check failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or bad configuration: fix the command or wharf.yml.</summary>
    public const int Usage = 2;
}
