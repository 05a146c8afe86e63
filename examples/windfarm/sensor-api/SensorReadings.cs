namespace Windfarm.SensorApi;

/// <summary>One minute of the turbine's sensors.</summary>
public sealed record SensorReading(DateTimeOffset Timestamp, double WindSpeed, double Power, double AmbientTemperature);

/// <summary>
/// Realistic, deterministic minute data: each minute's values depend only on its timestamp (a
/// hash of the minute seeds the noise), so seeding a day twice, or inside a longer range, gives
/// the same rows. Wind follows a daily cycle (calm mornings, windy afternoons) and a seasonal one;
/// power follows a 2 MW turbine's curve (cut-in 3 m/s, rated at 12 m/s, cut-out 25 m/s).
/// </summary>
public static class SensorReadings
{
    public const double RatedPowerKw = 2000;
    private const double CutIn = 3, Rated = 12, CutOut = 25;

    public static SensorReading At(DateTimeOffset minute)
    {
        var utc = minute.ToUniversalTime();
        var hour = utc.TimeOfDay.TotalHours;
        var day = utc.DayOfYear;
        var index = utc.ToUnixTimeSeconds() / 60;

        var wind = 8 + (3 * Math.Sin(2 * Math.PI * (hour - 9) / 24)) + (1.5 * Math.Cos(2 * Math.PI * day / 365)) + (1.2 * Normal(index, 1));
        wind = Math.Round(Math.Max(0, wind), 2);
        var power = Math.Round(Math.Clamp(Curve(wind) + (Curve(wind) > 0 ? 15 * Normal(index, 2) : 0), 0, RatedPowerKw), 1);
        var temperature = Math.Round(12 - (6 * Math.Cos(2 * Math.PI * (day - 15) / 365)) + (4 * Math.Sin(2 * Math.PI * (hour - 9) / 24)) + (0.5 * Normal(index, 3)), 2);
        return new SensorReading(utc, wind, power, temperature);
    }

    /// <summary>The turbine's power in kW at a wind speed, without noise.</summary>
    public static double Curve(double wind) => wind switch
    {
        < CutIn or >= CutOut => 0,
        < Rated => RatedPowerKw * (Math.Pow(wind, 3) - Math.Pow(CutIn, 3)) / (Math.Pow(Rated, 3) - Math.Pow(CutIn, 3)),
        _ => RatedPowerKw,
    };

    /// <summary>A standard normal value for (minute, channel), by Box–Muller over two hashed uniforms.</summary>
    private static double Normal(long minute, int channel)
    {
        var u1 = Uniform(Mix((ulong)minute * 4 + (ulong)channel));
        var u2 = Uniform(Mix(((ulong)minute * 4 + (ulong)channel) ^ 0x9E3779B97F4A7C15));
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>(0, 1], from the top 53 bits.</summary>
    private static double Uniform(ulong bits) => ((bits >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>SplitMix64's finalizer: a well-spread hash of a 64-bit value.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
