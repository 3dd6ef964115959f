# test: rules=DW401
# Non-root users, images that run as non-root, privilege-dropping
# entrypoints, Windows images, builder stages running as root.
FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
CMD ["/app"]
