return await BatchBuild.Server.BatchServer.RunAsync(args);
