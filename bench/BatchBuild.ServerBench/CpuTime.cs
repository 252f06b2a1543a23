using System.Diagnostics;
using System.Globalization;

namespace BatchBuild.ServerBench;

// Processor time used so far by this process (the agents, the server and the store) and by every
// PostgreSQL process of this machine, read from /proc: the server's backends, WAL writer and
// autovacuum. It splits a report's cost between HTTP and JSON, the store's code and the database.
internal readonly record struct CpuTime(TimeSpan DotNet, TimeSpan Postgres)
{
    // Linux reports process times in clock ticks of 1/100 s (USER_HZ) to user space.
    private const double TicksPerSecond = 100;

    public static CpuTime Now() => new(Process.GetCurrentProcess().TotalProcessorTime, PostgresTime());

    public static CpuTime operator -(CpuTime after, CpuTime before) =>
        new(after.DotNet - before.DotNet, after.Postgres - before.Postgres);

    private static TimeSpan PostgresTime()
    {
        if (!OperatingSystem.IsLinux())
        {
            return TimeSpan.Zero;
        }

        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var name = stat.IndexOf('(');
                var end = stat.LastIndexOf(')');
                if (name < 0 || end < 0 || stat[(name + 1)..end] != "postgres")
                {
                    continue;
                }

                // After the name: state, then fields 4 to 13, then utime and stime (fields 14 and 15).
                var fields = stat[(end + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // A process that ended while it was read.
            }
            catch (UnauthorizedAccessException)
            {
                // A process this user may not read.
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
