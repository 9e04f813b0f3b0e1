# venuehop in a container. UNTESTED: docker cannot run where this was
# written; the steps are the ones docs/deployment.md describes by hand.
#
#   docker build -t venuehop .
#   docker run -p 8080:8080 -v venuehop-data:/data venuehop
#   docker run -p 8080:8080 -v venuehop-data:/data \
#     -e VENUEHOP_DB='postgres://venuehop:…@db:5432/venuehop' venuehop

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# No cgo (modernc.org/sqlite is pure Go): one static binary.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/venuehop ./cmd/venuehop \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/venuehop /venuehop
# Owned by nonroot, so a fresh named volume mounted here is writable.
COPY --from=build --chown=65532:65532 /out/data /data
# /data keeps the SQLite store, or with VENUEHOP_DB the node's own files
# (calendar-feed.key, demo sign-ins): mount a volume.
ENV VENUEHOP_DATA=/data VENUEHOP_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/venuehop"]
CMD ["serve"]
