/** A modular application: its tests run inside this module (Surefire patches them in). */
module com.example.modular {
  exports com.example.modular;
}
