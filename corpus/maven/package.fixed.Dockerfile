# test: rules=DW201 fix=unsafe
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
COPY pom.xml ./
RUN mvn -B dependency:go-offline
COPY . .
RUN mvn -B -q package -DskipTests
# expect @-1:5 DW201 "'mvn' (maven) runs after the COPY on line 4"

FROM eclipse-temurin:21-jre
COPY --from=build /build/target/app.jar /app.jar
CMD ["java", "-jar", "/app.jar"]
