using Sentinel.Cli;

return await CommandTree.Build().Parse(args).InvokeAsync();
