# test: rules=DW201 fix=unsafe
FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish -c Release -o /out
# expect @-1:5 DW201 "'dotnet publish' (dotnet)"

FROM mcr.microsoft.com/dotnet/aspnet:8.0
COPY --from=build /out /app
ENTRYPOINT ["dotnet", "/app/Api.dll"]
