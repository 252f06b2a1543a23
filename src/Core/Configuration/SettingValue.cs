namespace BatchBuild.Core.Configuration;

/// <summary>One value as a layer found it.</summary>
internal sealed record SettingValue(SettingDefinition Definition, string Text, string Setting, string? File, int Line);
