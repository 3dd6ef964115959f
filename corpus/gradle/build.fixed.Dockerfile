# test: rules=DW201 fix=unsafe
FROM gradle:8.10-jdk21
WORKDIR /home/gradle/app
COPY --chown=gradle:gradle settings.gradle.kts build.gradle.kts ./
RUN gradle --no-daemon dependencies
COPY --chown=gradle:gradle . .
RUN gradle --no-daemon bootJar
# expect @-1:5 DW201 "'gradle' (gradle)"
