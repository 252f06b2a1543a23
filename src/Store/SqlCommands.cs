using System.Data.Common;
using System.Globalization;

namespace BatchBuild.Store;

/// <summary>Commands in a transaction and the reading of their values, as every store query needs them.</summary>
internal static class SqlCommands
{
    /// <summary>
    /// A command of <paramref name="sql"/> in <paramref name="transaction"/> with <paramref name="parameters"/>.
    /// </summary>
    public static DbCommand Command(
        DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Runs <paramref name="sql"/>, which returns no rows.</summary>
    public static async Task NonQueryAsync(
        DbTransaction transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // SQLite reads integers as 64-bit and PostgreSQL's COUNT and SUM are 64-bit: both narrow here.
    /// <summary>The integer in column <paramref name="ordinal"/>.</summary>
    public static int Int(DbDataReader reader, int ordinal) =>
        Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
